import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/emails';
import { formatSessionTime, type BookingEmailData } from '../../../src/emails/bookings/details';
import { icsEvent } from '../../support/ics';

const data = (over: Partial<BookingEmailData> = {}): BookingEmailData => ({
  bookingId: '7d0f9a52-2f4f-4b47-9a53-0d7a3bd2a0f1',
  serviceTitle: 'Batting lesson',
  coach: { name: 'Asha Rao', email: 'asha@example.test', timeZone: 'Europe/London' },
  athlete: { name: 'Sam <Lee>', email: 'sam@example.test', timeZone: 'America/New_York' },
  // 2026-03-29 is the day the UK moves to BST; New York moved on 2026-03-08.
  start: '2026-03-29T13:00:00.000Z',
  end: '2026-03-29T14:00:00.000Z',
  price: { amountMinor: 4500, currency: 'USD' },
  sequence: 0,
  issuedAt: '2026-03-01T12:00:00.000Z',
  ...over,
});

describe('booking email times', () => {
  it('writes the time in the zone with the zone and offset named, on a DST day, with a 24-hour clock', () => {
    expect(formatSessionTime('2026-03-29T13:00:00.000Z', '2026-03-29T14:00:00.000Z', 'Europe/London')).toBe(
      'Sunday 29 March 2026, 14:00–15:00 (Europe/London, UTC+01:00)',
    );
    expect(
      formatSessionTime('2026-03-29T13:00:00.000Z', '2026-03-29T14:00:00.000Z', 'America/New_York'),
    ).toBe('Sunday 29 March 2026, 09:00–10:00 (America/New_York, UTC-04:00)');
    expect(formatSessionTime('2026-03-29T23:30:00.000Z', '2026-03-30T00:30:00.000Z', 'UTC')).toBe(
      'Sunday 29 March 2026, 23:30–Monday 30 March 2026, 00:30 (UTC, UTC+00:00)',
    );
  });

  it('shows the athlete their chosen zone, the coach theirs (plus the athlete’s), and falls back to the coach’s zone', () => {
    const confirmed = renderEmail('booking_confirmed', data());
    expect(confirmed.text).toContain('When: Sunday 29 March 2026, 09:00–10:00 (America/New_York, UTC-04:00)');
    const notification = renderEmail('booking_notification', data());
    expect(notification.text).toContain(
      'When: Sunday 29 March 2026, 14:00–15:00 (Europe/London, UTC+01:00); for Sam <Lee>: Sunday 29 March 2026, 09:00–10:00',
    );
    const noZone = renderEmail('booking_confirmed', data({ athlete: { ...data().athlete, timeZone: null } }));
    expect(noZone.text).toContain('14:00–15:00 (Europe/London, UTC+01:00)');
    expect(renderEmail('booking_reminder', { ...data(), recipient: 'athlete' }).text).toContain(
      '09:00–10:00 (America/New_York',
    );
    expect(renderEmail('booking_reminder', { ...data(), recipient: 'coach' }).subject).toBe(
      'Reminder: Batting lesson with Sam <Lee>',
    );
  });

  it('escapes names in HTML', () => {
    const html = renderEmail('booking_notification', data()).html;
    expect(html).toContain('Sam &lt;Lee&gt;');
    expect(html).not.toContain('Sam <Lee>');
  });
});

describe('booking invites', () => {
  it('confirmation and notification carry the same REQUEST invite; the UID is stable and SEQUENCE rises', () => {
    const a = renderEmail('booking_confirmed', data());
    const c = renderEmail('booking_notification', data());
    expect(a.icalEvent?.method).toBe('REQUEST');
    expect(a.attachments).toBeUndefined(); // one calendar part only
    expect(a.icalEvent?.content).toBe(c.icalEvent?.content);
    const first = icsEvent(a.icalEvent!.content);
    expect(first).toMatchObject({
      method: 'REQUEST',
      uid: `booking-${data().bookingId}@coachflow`,
      sequence: 0,
      dtstart: '20260329T130000Z',
      dtend: '20260329T140000Z',
    });

    const moved = renderEmail('booking_rescheduled', {
      ...data({ start: '2026-03-30T13:00:00.000Z', end: '2026-03-30T14:00:00.000Z', sequence: 1 }),
      recipient: 'athlete',
      previousStart: data().start,
      previousEnd: data().end,
    });
    const second = icsEvent(moved.icalEvent!.content);
    expect(second).toMatchObject({
      method: 'REQUEST',
      uid: first.uid,
      sequence: 1,
      dtstart: '20260330T130000Z',
    });
    expect(moved.text).toContain('Previously: Sunday 29 March 2026, 09:00–10:00 (America/New_York');

    const cancelled = renderEmail('booking_cancelled', {
      ...data({ sequence: 2 }),
      recipient: 'athlete',
      cancelledBy: 'athlete',
      reason: 'Injured',
      refund: {
        amountMinor: 2250,
        rule: 'Flexible policy: cancelled less than 24 hours before the start: 50% refund',
      },
      withdrawInvite: true,
    });
    const third = icsEvent(cancelled.icalEvent!.content);
    expect(third).toMatchObject({ method: 'CANCEL', uid: first.uid, sequence: 2, status: 'CANCELLED' });
    expect(cancelled.text).toContain('You cancelled Batting lesson');
    expect(cancelled.text).toContain('Refund: $22.50 to the original payment method');
  });

  it('a cancellation with no earlier invite sends no CANCEL; an unpaid one mentions no refund', () => {
    const email = renderEmail('booking_cancelled', {
      ...data(),
      recipient: 'coach',
      cancelledBy: 'athlete',
      reason: '',
      refund: null,
      withdrawInvite: false,
    });
    expect(email.icalEvent).toBeUndefined();
    expect(email.attachments).toBeUndefined();
    expect(email.text).toContain('Sam <Lee> cancelled Batting lesson');
    expect(email.text).not.toContain('Refund');
  });

  it('the expiry email tells the athlete nothing was charged', () => {
    const email = renderEmail('booking_expired', data());
    expect(email.subject).toBe('Not booked: Batting lesson with Asha Rao');
    expect(email.text).toContain('You have not been charged');
    expect(email.icalEvent).toBeUndefined();
  });
});

import { proxyActivities } from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { profiles } from '../shared/profiles';
import type { BookingSnapshot } from './definitions';

// The booking workflow's emails. Each is recorded per (reference, template, recipient), so a retried
// activity or a replayed workflow never sends one twice; invites carry the booking's iCalendar
// SEQUENCE, and reschedules and reminders are keyed by it, so each time gets its own.

const { sendEmail } = proxyActivities<DefaultActivities>(profiles.email);

const RECIPIENTS = ['athlete', 'coach'] as const;
type Recipient = (typeof RECIPIENTS)[number];

const reference = (s: BookingSnapshot, sequence?: number) =>
  sequence === undefined ? `booking-${s.id}` : `booking-${s.id}-v${sequence}`;

const addressOf = (s: BookingSnapshot, who: Recipient) =>
  who === 'athlete' ? s.athlete.email : s.coach.email;

/** What every booking email shows; `issuedAt` is workflow time, so a retry renders the same invite. */
function emailData(s: BookingSnapshot) {
  return {
    bookingId: s.id,
    serviceTitle: s.service.title,
    coach: { name: s.coach.name, email: s.coach.email, timeZone: s.coach.timeZone },
    athlete: { name: s.athlete.name, email: s.athlete.email, timeZone: s.athleteTimeZone },
    start: new Date(s.startMs).toISOString(),
    end: new Date(s.endMs).toISOString(),
    price: s.priceMinor > 0 ? { amountMinor: s.priceMinor, currency: s.currency } : null,
    sequence: s.sequence,
    issuedAt: new Date(Date.now()).toISOString(),
  };
}

/** The first invites: a confirmation to the athlete, a notification to the coach. */
export async function sendConfirmation(s: BookingSnapshot): Promise<void> {
  const data = emailData(s);
  await Promise.all([
    sendEmail({ reference: reference(s), template: 'booking_confirmed', to: s.athlete.email, data }),
    sendEmail({ reference: reference(s), template: 'booking_notification', to: s.coach.email, data }),
  ]);
}

/** Updated invites after a move from `previous` (one email per SEQUENCE, whatever the number of moves). */
export async function sendRescheduled(
  s: BookingSnapshot,
  previous: { startMs: number; endMs: number },
): Promise<void> {
  const data = emailData(s);
  const moved = {
    previousStart: new Date(previous.startMs).toISOString(),
    previousEnd: new Date(previous.endMs).toISOString(),
  };
  await Promise.all(
    RECIPIENTS.map((who) =>
      sendEmail({
        reference: reference(s, data.sequence),
        template: 'booking_rescheduled',
        to: addressOf(s, who),
        data: { ...data, ...moved, recipient: who },
      }),
    ),
  );
}

/** The reminder for the time with this SEQUENCE, to both sides. */
export async function sendReminders(s: BookingSnapshot, sequence: number): Promise<void> {
  const data = emailData(s);
  await Promise.all(
    RECIPIENTS.map((who) =>
      sendEmail({
        reference: reference(s, sequence),
        template: 'booking_reminder',
        to: addressOf(s, who),
        data: { ...data, recipient: who },
      }),
    ),
  );
}

/** The cancellation to both sides, with the refund (if paid) and a CANCEL for any invite they got. */
export async function sendCancelled(s: BookingSnapshot, opts: { withdrawInvite: boolean }): Promise<void> {
  const c = s.cancellation;
  const data = emailData(s);
  const refund = s.priceMinor > 0 && s.paid ? { amountMinor: s.refundDueMinor, rule: c?.rule ?? '' } : null;
  await Promise.all(
    RECIPIENTS.map((who) =>
      sendEmail({
        reference: reference(s),
        template: 'booking_cancelled',
        to: addressOf(s, who),
        data: {
          ...data,
          recipient: who,
          cancelledBy: c?.by ?? 'coach',
          reason: c?.reason ?? '',
          refund,
          withdrawInvite: opts.withdrawInvite,
        },
      }),
    ),
  );
}

/** The hold ran out before payment: the athlete hears the slot was released. */
export async function sendExpired(s: BookingSnapshot): Promise<void> {
  await sendEmail({
    reference: reference(s),
    template: 'booking_expired',
    to: s.athlete.email,
    data: emailData(s),
  });
}

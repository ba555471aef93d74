import { patched } from '@temporalio/workflow';
import type { BookingSnapshot } from './definitions';
import { db, mail } from './proxies';
import type { BookingState } from './state';

// The booking workflow's emails. Each is recorded per (reference, template, recipient), so a retried
// activity or a replayed workflow never sends one twice; invites carry the booking's iCalendar
// SEQUENCE, and reschedules and reminders are keyed by it, so each time gets its own.

// The first confirmation records a booking_created analytics event (issue 13). Runs started before
// replay without it.
const BOOKING_ANALYTICS = 'booking-analytics';

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
    mail.sendEmail({ reference: reference(s), template: 'booking_confirmed', to: s.athlete.email, data }),
    mail.sendEmail({ reference: reference(s), template: 'booking_notification', to: s.coach.email, data }),
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
      mail.sendEmail({
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
      mail.sendEmail({
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
      mail.sendEmail({
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
  await mail.sendEmail({
    reference: reference(s),
    template: 'booking_expired',
    to: s.athlete.email,
    data: emailData(s),
  });
}

/**
 * The invites for the booking's current SEQUENCE: the first confirmation (with the booking_created
 * fact), or updated invites after a move from `previous`.
 */
export async function sendInvites(st: BookingState): Promise<void> {
  const s = st.snapshot!;
  const sequence = s.sequence; // a move while these are sent needs invites of its own
  if (st.invitedForSequence === null) {
    await sendConfirmation(s);
    if (patched(BOOKING_ANALYTICS)) {
      await db.recordAnalyticsEvents([
        {
          type: 'booking_created',
          id: s.id,
          coachId: s.coach.id,
          userId: s.athlete.id,
          occurredAt: new Date(s.createdAtMs).toISOString(),
          // Revenue only for money paid for this booking (a credit's was counted at its purchase).
          ...(s.paid && s.amountPaidMinor > 0
            ? { amountMinor: s.amountPaidMinor, currency: s.currency }
            : {}),
        },
      ]);
    }
  } else await sendRescheduled(s, st.previous ?? { startMs: s.startMs, endMs: s.endMs });
  st.previous = null;
  st.invitedForSequence = sequence;
}

export async function remind(st: BookingState, sequence: number): Promise<void> {
  await sendReminders(st.snapshot!, sequence);
  st.remindedForSequence = sequence;
  st.reminderDueMs = null;
}

import { format as formatMoney, money } from '../../domain/shared/money';
import { bookingInvite, counterpart, whenFor, type BookingEmailData, type Recipient } from './details';
import { layout, type RenderedEmail } from '../layout';

export interface BookingCancelledData extends BookingEmailData {
  recipient: Recipient;
  cancelledBy: 'athlete' | 'coach';
  reason: string;
  /** What the cancellation policy refunds; null when nothing was paid. */
  refund: { amountMinor: number; rule: string } | null;
  /** A calendar invite was sent earlier, so a CANCEL invite withdraws it. */
  withdrawInvite: boolean;
}

/** To both sides when a booking is cancelled, with the refund the policy gives and a CANCEL invite. */
export function bookingCancelledEmail(data: BookingCancelledData): RenderedEmail {
  const who = data.recipient;
  const name = who === 'athlete' ? data.athlete.name : data.coach.name;
  const byWhom = data.cancelledBy === who ? 'You cancelled' : `${counterpart(data, who)} cancelled`;
  const refund =
    data.refund && data.price
      ? data.refund.amountMinor > 0
        ? `Refund: ${formatMoney(money(data.refund.amountMinor, data.price.currency))} to the original payment method (${data.refund.rule}).`
        : `No refund is due (${data.refund.rule}).`
      : null;
  const lines = [
    `Hi ${name},`,
    `${byWhom} ${data.serviceTitle} (${whenFor(data, who)}).`,
    ...(data.reason ? [`Reason: ${data.reason}`] : []),
    ...(refund ? [refund] : []),
  ];
  return {
    subject: `Cancelled: ${data.serviceTitle} with ${counterpart(data, who)}`,
    text: lines.join('\n\n'),
    html: layout('Session cancelled', lines),
    ...(data.withdrawInvite ? bookingInvite(data, 'CANCEL') : {}),
  };
}

import { layout, type RenderedEmail } from '../layout';

export interface SubscriptionPaymentFailedData {
  name: string;
  planName: string;
  /** 1 for the first notice. */
  attempt: number;
  /** e.g. "in 4 days" — when the account moves to Free if the invoice stays unpaid. */
  downgradeIn: string;
  /** The hosted invoice page (pay with another card) or the billing page. */
  link: string;
}

/** Dunning: sent on the schedule of SUBSCRIPTION_DUNNING_SCHEDULE after a renewal payment fails. */
export function subscriptionPaymentFailedEmail(d: SubscriptionPaymentFailedData): RenderedEmail {
  const subject =
    d.attempt === 1
      ? `Your ${d.planName} payment failed`
      : `Reminder: your ${d.planName} payment is still due`;
  const lines = [
    `Hi ${d.name},`,
    `We could not take the payment for your ${d.planName} subscription. Your plan keeps working for now.`,
    `Please update your card and pay the open invoice; otherwise your account moves to the Free plan ${d.downgradeIn}.`,
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nUpdate your card: ${d.link}\n`,
    html: layout('Your payment failed', lines, { label: 'Update your card', url: d.link }),
  };
}

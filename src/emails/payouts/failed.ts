import { layout, type RenderedEmail } from '../layout';

export interface PayoutFailedData {
  coachName: string;
  /** Formatted with its currency, e.g. "GBP 125.40". */
  amount: string;
  period: string;
  /** Written for the coach (src/domain/payouts/payouts.ts PAYOUT_FAILURE_REASONS). */
  reason: string;
  link: string;
}

/** Sent when a payout ends failed: what was not paid, why, and that the balance stays payable. */
export function payoutFailedEmail(d: PayoutFailedData): RenderedEmail {
  const subject = `Payout failed: ${d.amount}`;
  const lines = [
    `Hi ${d.coachName},`,
    `Your payout of ${d.amount} (period ${d.period}) could not be made.`,
    d.reason,
    'Nothing was taken from your balance: the amount stays payable and is included in your next payout.',
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nPayout settings: ${d.link}\n`,
    html: layout('Your payout could not be made', lines, { label: 'Open payout settings', url: d.link }),
  };
}

import { layout, type RenderedEmail } from '../layout';

export interface PayoutReversedData {
  coachName: string;
  /** This reversal, formatted with its currency (src/domain/payouts/payouts.ts formatPayoutAmount). */
  amount: string;
  /** The payout it was taken from, formatted the same way. */
  payoutAmount: string;
  period: string;
  /** Everything reversed of that payout so far, this reversal included. */
  reversedTotal: string;
  /** The whole payout is reversed. */
  fullyReversed: boolean;
  link: string;
}

/**
 * Sent once per Stripe transfer reversal of a payout that was made: what was taken back, and that it
 * is owed again (back in the available balance, paid with the next payout).
 */
export function payoutReversedEmail(d: PayoutReversedData): RenderedEmail {
  const subject = `Payout reversed: ${d.amount}`;
  const lines = [
    `Hi ${d.coachName},`,
    `${d.amount} of your payout of ${d.payoutAmount} (period ${d.period}) was taken back from your Stripe account: the transfer was reversed.`,
    d.fullyReversed
      ? 'The whole payout is now reversed.'
      : `Reversed of this payout so far: ${d.reversedTotal}.`,
    'The amount is back in your available balance and is included in your next payout.',
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nPayout settings: ${d.link}\n`,
    html: layout(d.fullyReversed ? 'A payout was reversed' : 'Part of a payout was reversed', lines, {
      label: 'Open payout settings',
      url: d.link,
    }),
  };
}

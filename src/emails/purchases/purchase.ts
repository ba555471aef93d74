import { format as formatMoney, money } from '../../domain/shared/money';
import { layout, type RenderedEmail } from '../layout';

// The purchase workflow's emails: the buyer's confirmation (what they got, credits with their expiry),
// the coach's sale notice, and the buyer's refund notice saying what was revoked and what was kept.

export interface PurchaseEmailData {
  purchaseId: string;
  title: string;
  amountMinor: number;
  currency: string;
  buyer: { name: string; email: string };
  coach: { name: string; email: string };
  credits: { serviceTitle: string; count: number; expiresAt: string }[];
  products: string[];
  /** Courses opened by the purchase (absent in emails queued before course packages). */
  courses?: string[];
}

const price = (d: { amountMinor: number; currency: string }) => formatMoney(money(d.amountMinor, d.currency));

function contents(d: PurchaseEmailData): string[] {
  return [
    ...d.credits.map(
      (c) =>
        `${c.count} × ${c.serviceTitle} session${c.count === 1 ? '' : 's'}, to book by ${c.expiresAt.slice(0, 10)} (UTC)`,
    ),
    ...d.products.map((p) => `Included: ${p}`),
    ...(d.courses ?? []).map((c) => `Course: ${c} (watch every lecture, no session needed)`),
  ];
}

/** To the buyer once the payment has arrived. */
export function purchaseConfirmedEmail(d: PurchaseEmailData): RenderedEmail {
  const lines = [
    `Hi ${d.buyer.name},`,
    `Thank you for buying ${d.title} from ${d.coach.name}. Paid: ${price(d)}.`,
    ...contents(d),
    ...(d.credits.length > 0
      ? ['Book a session with a credit from the coach’s page: no payment is asked.']
      : []),
  ];
  return {
    subject: `Your purchase: ${d.title}`,
    text: lines.join('\n\n'),
    html: layout('Thank you for your purchase', lines),
  };
}

/** To the coach when one of their products sells. */
export function purchaseSoldEmail(d: PurchaseEmailData): RenderedEmail {
  const lines = [
    `Hi ${d.coach.name},`,
    `${d.buyer.name} (${d.buyer.email}) bought ${d.title} for ${price(d)}.`,
    ...contents(d),
  ];
  return { subject: `Sold: ${d.title}`, text: lines.join('\n\n'), html: layout('You made a sale', lines) };
}

export interface PurchaseRefundEmailData {
  purchaseId: string;
  title: string;
  refundedMinor: number;
  currency: string;
  buyer: { name: string; email: string };
  coach: { name: string };
  revokedCredits: number;
  keptCredits: number;
  note: string;
  revokedCourses?: string[];
}

/** To the buyer after a refund: the amount, the credits taken back and what they keep. */
export function purchaseRefundedEmail(d: PurchaseRefundEmailData): RenderedEmail {
  const lines = [
    `Hi ${d.buyer.name},`,
    `${d.coach.name} refunded ${price({ amountMinor: d.refundedMinor, currency: d.currency })} of ${d.title}.`,
    d.revokedCredits > 0
      ? `${d.revokedCredits} unused session credit${d.revokedCredits === 1 ? ' was' : 's were'} withdrawn.`
      : 'No unused session credits were withdrawn.',
    d.keptCredits > 0
      ? `You keep the ${d.keptCredits} session${d.keptCredits === 1 ? '' : 's'} already booked.`
      : 'Nothing of the purchase had been used.',
    ...(d.revokedCourses ?? []).map((c) => `Your access to the course ${c} has ended.`),
  ];
  return { subject: `Refunded: ${d.title}`, text: lines.join('\n\n'), html: layout('Your refund', lines) };
}

import type { FieldProblem } from '../shared/errors';
import { CURRENCIES, format, isSupportedCurrency, money, type CurrencyCode } from '../shared/money';

/**
 * The smallest amount Stripe will charge, per presentment currency, in minor units (Stripe's
 * "Minimum and maximum charge amounts" table). A price below it is accepted by nothing downstream:
 * the PaymentIntent fails and the athlete sees a confusing expiry, so prices are refused at the door.
 * Currencies Stripe does not list take "the equivalent of USD 0.50", rounded up here with margin.
 */
export const STRIPE_MINIMUM_CHARGE_MINOR: Record<CurrencyCode, number> = {
  USD: 50,
  EUR: 50,
  GBP: 30,
  AUD: 50,
  NZD: 50,
  CAD: 50,
  INR: 50,
  SGD: 50,
  CHF: 50,
  AED: 200,
  JPY: 50,
  // Not in Stripe's table: ≈ USD 0.50, rounded up.
  ZAR: 1_000,
  PKR: 15_000,
  LKR: 16_000,
  BDT: 7_000,
  KRW: 800,
};

/** Stripe's largest single charge, 99,999,999 minor units (8 digits) for most currencies. */
export const STRIPE_MAXIMUM_CHARGE_MINOR = 99_999_999;

/**
 * Why a price cannot be charged through Stripe, or undefined when it can. Zero is a free offer and
 * needs no charge at all.
 */
export function chargeableProblem(amountMinor: number, currency: CurrencyCode): string | undefined {
  if (amountMinor === 0) return undefined;
  const min = STRIPE_MINIMUM_CHARGE_MINOR[currency];
  if (amountMinor < min) {
    return `must be 0 (free) or at least ${format(money(min, currency))}, the smallest amount card payments in ${currency} allow`;
  }
  if (amountMinor > STRIPE_MAXIMUM_CHARGE_MINOR) {
    return `must be at most ${format(money(STRIPE_MAXIMUM_CHARGE_MINOR, currency))}`;
  }
  return undefined;
}

/**
 * A price as a coach sets it (an offering, a product), checked as one: the currency must be one we
 * take, and the amount one Stripe can charge in it. Named on priceMinor, since that is what to change.
 */
export function priceProblems(price: { priceMinor: number; currency: string }): FieldProblem[] {
  if (!isSupportedCurrency(price.currency))
    return [{ field: 'currency', reason: 'is not a supported currency' }];
  const reason = chargeableProblem(price.priceMinor, price.currency);
  return reason ? [{ field: 'priceMinor', reason }] : [];
}

// Every supported currency has a minimum (a compile-time check would not catch a later addition to
// CURRENCIES typed loosely; this does at import).
for (const code of Object.keys(CURRENCIES)) {
  if (!(code in STRIPE_MINIMUM_CHARGE_MINOR)) throw new Error(`no Stripe minimum for ${code}`);
}

import type pg from 'pg';
import { REFUND_KINDS } from '../../src/domain/payments/ledger';
import type { Stripe } from '../../src/infra/stripe';
import { n, table, type Difference } from './differences';

// The ledger against Stripe, object by object: each PaymentIntent's amount received, each refund's
// amount, each transfer's (only meaningful against Stripe itself, not stripe-mock's fixtures).

/** Stripe's copy of an object, or undefined with the failure recorded as a difference. */
async function fetchOr<T>(
  out: Difference[],
  reference: string,
  what: string,
  get: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    out.push({
      check: 'stripe',
      reference,
      message: `${what} could not be read from Stripe: ${(err as Error).message}`,
    });
    return undefined;
  }
}

/** What the ledger recorded against what Stripe has, object by object. */
export async function stripeDifferences(
  client: pg.ClientBase,
  stripe: Stripe,
): Promise<{ differences: Difference[]; compared: number }> {
  const out: Difference[] = [];
  let compared = 0;
  // Sales: the PaymentIntent of the booking / paid session / purchase the reference names.
  const sources: [string, string, string][] = [
    ['booking:', 'bookings', 'booking_payment'],
    ['paid-session:', 'paid_sessions', 'capture'],
    ['purchase:', 'purchases', 'purchase'],
  ];
  for (const [prefix, tbl, kind] of sources) {
    if (!(await table(client, tbl))) continue;
    const { rows } = await client.query<{
      reference: string;
      amount: string;
      currency: string;
      pi: string | null;
    }>(
      `SELECT t.reference, t.amount_minor AS amount, t.currency, s.payment_intent_id AS pi
       FROM ledger_transactions t
       LEFT JOIN ${tbl} s ON s.id::text = substring(t.reference FROM ${prefix.length + 1})
       WHERE t.kind = $1 AND t.reference LIKE $2`,
      [kind, `${prefix}%`],
    );
    for (const r of rows) {
      compared++;
      if (!r.pi) {
        out.push({
          check: 'stripe',
          reference: r.reference,
          message: `${kind} has no PaymentIntent on record`,
        });
        continue;
      }
      const pi = await fetchOr(out, r.reference, `PaymentIntent ${r.pi}`, () =>
        stripe.paymentIntents.retrieve(r.pi!),
      );
      if (!pi) continue;
      if (pi.amount_received !== n(r.amount) || pi.currency !== r.currency)
        out.push({
          check: 'stripe',
          reference: r.reference,
          message: `${kind} ${r.amount} ${r.currency}, but ${r.pi} received ${pi.amount_received} ${pi.currency}`,
        });
    }
  }
  // Refunds: the refund id is the last part of the key.
  const refunds = await client.query<{ key: string; reference: string; amount: string; currency: string }>(
    `SELECT key, reference, amount_minor AS amount, currency FROM ledger_transactions WHERE kind::text = ANY($1)`,
    [[...REFUND_KINDS]],
  );
  for (const r of refunds.rows) {
    compared++;
    const refundId = r.key.slice(r.key.lastIndexOf(':') + 1);
    const refund = await fetchOr(out, r.reference, `refund ${refundId}`, () =>
      stripe.refunds.retrieve(refundId),
    );
    if (!refund) continue;
    if (refund.amount !== n(r.amount) || refund.currency !== r.currency || refund.status === 'failed')
      out.push({
        check: 'stripe',
        reference: r.reference,
        message: `refund ${r.amount} ${r.currency}, but ${refundId} is ${refund.amount} ${refund.currency} (${refund.status})`,
      });
  }
  // Payouts: the transfer recorded on the payout row.
  if (await table(client, 'payouts')) {
    const { rows } = await client.query<{ reference: string; net: string; transfer: string | null }>(
      `SELECT t.reference,
              sum(CASE WHEN t.kind = 'payout' THEN t.amount_minor ELSE -t.amount_minor END) AS net,
              max(p.stripe_transfer_id) AS transfer
       FROM ledger_transactions t
       LEFT JOIN payouts p ON p.id::text = substring(t.reference FROM 8)
       WHERE t.kind IN ('payout', 'payout_reversal')
       GROUP BY t.reference`,
    );
    for (const r of rows) {
      compared++;
      if (!r.transfer) {
        if (n(r.net) !== 0)
          out.push({
            check: 'stripe',
            reference: r.reference,
            message: `paid out ${r.net} with no transfer on record`,
          });
        continue;
      }
      const tr = await fetchOr(out, r.reference, `transfer ${r.transfer}`, () =>
        stripe.transfers.retrieve(r.transfer!),
      );
      if (!tr) continue;
      const net = tr.amount - tr.amount_reversed;
      if (net !== n(r.net))
        out.push({
          check: 'stripe',
          reference: r.reference,
          message: `ledger paid out ${r.net}, but transfer ${r.transfer} moved ${net}`,
        });
    }
  }
  return { differences: out, compared };
}

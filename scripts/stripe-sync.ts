// npm run stripe:sync [-- --dry-run]: makes Stripe's catalogue match the plan table
// (src/domain/subscriptions/plans): one product and one monthly price per paid plan and per Org Pro seat
// tier, found by lookup key. Re-running changes nothing; a changed price gets a new Stripe price that
// takes the lookup key over (transfer_lookup_key) and the old one is archived, so existing
// subscribers keep their price until they change plan. The plan itself is src/domain/subscriptions/
// catalogue.ts planCatalogueSync (unit-tested); this file only reads Stripe and carries it out.
import type Stripe from 'stripe';
import {
  catalogue,
  planCatalogueSync,
  type CatalogueAction,
  type ExistingPrice,
} from '../src/domain/subscriptions/catalogue';
import { config } from '../src/infra/config';
import { createStripe } from '../src/infra/stripe';

export async function readCatalogue(stripe: Stripe, productIds: string[], lookupKeys: string[]) {
  const products = new Set<string>();
  for (const id of productIds) {
    try {
      const p = await stripe.products.retrieve(id);
      if (p.id === id && !(p as { deleted?: boolean }).deleted) products.add(id);
    } catch (err) {
      if ((err as { code?: string }).code !== 'resource_missing') throw err;
    }
  }
  const prices: ExistingPrice[] = [];
  // Stripe takes at most 10 lookup keys per list call.
  for (let i = 0; i < lookupKeys.length; i += 10) {
    const page = await stripe.prices.list({
      lookup_keys: lookupKeys.slice(i, i + 10),
      active: true,
      limit: 100,
    });
    for (const p of page.data)
      prices.push({
        id: p.id,
        lookupKey: p.lookup_key ?? null,
        productId: typeof p.product === 'string' ? p.product : p.product.id,
        unitAmountMinor: p.unit_amount ?? null,
        currency: p.currency,
        active: p.active,
        recurringInterval: p.recurring?.interval ?? null,
      });
  }
  return { products, prices };
}

export async function applyCatalogueActions(stripe: Stripe, actions: CatalogueAction[]): Promise<void> {
  for (const a of actions) {
    if (a.kind === 'create_product') {
      await stripe.products.create(
        { id: a.productId, name: a.name, metadata: { managedBy: 'coachflow' } },
        { idempotencyKey: `stripe-sync-product-${a.productId}` },
      );
    } else if (a.kind === 'create_price') {
      const e = a.entry;
      await stripe.prices.create(
        {
          product: e.productId,
          unit_amount: e.unitAmountMinor,
          currency: e.currency,
          recurring: { interval: 'month' },
          lookup_key: e.lookupKey,
          transfer_lookup_key: true,
          nickname: `${e.name} monthly`,
          metadata: { plan: e.choice.plan, seatTier: e.choice.seatTier ?? '' },
        },
        // The amount is part of the key: a new price for a new amount, the same request for a retry.
        { idempotencyKey: `stripe-sync-price-${e.lookupKey}-${e.unitAmountMinor}-${e.currency}` },
      );
    } else {
      await stripe.prices.update(
        a.priceId,
        { active: false },
        { idempotencyKey: `stripe-sync-archive-${a.priceId}` },
      );
    }
  }
}

const describe = (a: CatalogueAction) =>
  a.kind === 'create_product'
    ? `create product ${a.productId} (${a.name})`
    : a.kind === 'create_price'
      ? `create price ${a.entry.lookupKey}: ${a.entry.unitAmountMinor} ${a.entry.currency}/month${a.replaces ? ` (replaces ${a.replaces})` : ''}`
      : `archive price ${a.priceId} (${a.lookupKey})`;

async function main() {
  const dryRun = process.argv.includes('--dry-run');
  const stripe = createStripe(config());
  const desired = catalogue();
  const existing = await readCatalogue(
    stripe,
    [...new Set(desired.map((d) => d.productId))],
    desired.map((d) => d.lookupKey),
  );
  const actions = planCatalogueSync(desired, existing.products, existing.prices);
  for (const a of actions) process.stdout.write(`${dryRun ? '[dry run] ' : ''}${describe(a)}\n`);
  if (actions.length === 0) process.stdout.write('Stripe catalogue is up to date: nothing to do\n');
  if (!dryRun) await applyCatalogueActions(stripe, actions);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

import { describe, expect, it } from 'vitest';
import {
  catalogue,
  choiceFromLookupKey,
  lookupKeyOf,
  planCatalogueSync,
  type ExistingPrice,
  type PlanChoice,
} from '../../../src/domain/subscriptions/catalogue';

const plus: PlanChoice = { plan: 'coach_pro_plus', seatTier: null };

describe('plan choices and lookup keys', () => {
  it('every catalogue entry round-trips through its lookup key; the catalogue has each paid plan and three Org Pro tiers', () => {
    const entries = catalogue();
    for (const e of entries) expect(choiceFromLookupKey(e.lookupKey)).toEqual(e.choice);
    expect(entries.filter((e) => e.choice.plan === 'org_pro').map((e) => e.unitAmountMinor)).toEqual([
      3900, 7900, 14900,
    ]);
    expect(entries.find((e) => e.lookupKey === lookupKeyOf(plus))?.unitAmountMinor).toBe(1999);
    expect(new Set(entries.map((e) => e.lookupKey)).size).toBe(entries.length);
    expect(choiceFromLookupKey('coachflow_superuser_monthly')).toBeUndefined();
    expect(choiceFromLookupKey('price_123')).toBeUndefined();
  });
});

describe('stripe:sync plan (idempotent catalogue)', () => {
  const desired = catalogue();
  const synced = (): ExistingPrice[] =>
    desired.map((e, i) => ({
      id: `price_${i}`,
      lookupKey: e.lookupKey,
      productId: e.productId,
      unitAmountMinor: e.unitAmountMinor,
      currency: e.currency,
      active: true,
      recurringInterval: 'month',
    }));

  it('an empty Stripe account gets every product and price', () => {
    const actions = planCatalogueSync(desired, new Set(), []);
    expect(actions.filter((a) => a.kind === 'create_product')).toHaveLength(desired.length);
    expect(actions.filter((a) => a.kind === 'create_price')).toHaveLength(desired.length);
  });

  it('re-running on a synced account changes nothing', () => {
    expect(planCatalogueSync(desired, new Set(desired.map((d) => d.productId)), synced())).toEqual([]);
  });

  it('a price change creates a new price replacing the old and archives the old one', () => {
    const prices = synced();
    const i = prices.findIndex((p) => p.lookupKey === lookupKeyOf(plus));
    prices[i] = { ...prices[i]!, unitAmountMinor: 2499 };
    const actions = planCatalogueSync(desired, new Set(desired.map((d) => d.productId)), prices);
    expect(actions).toEqual([
      {
        kind: 'create_price',
        entry: desired.find((d) => d.lookupKey === lookupKeyOf(plus)),
        replaces: `price_${i}`,
      },
      { kind: 'archive_price', priceId: `price_${i}`, lookupKey: lookupKeyOf(plus) },
    ]);
  });
});

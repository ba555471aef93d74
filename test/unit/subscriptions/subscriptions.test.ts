import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyFact,
  billingRoleDecision,
  cancelProblem,
  catalogue,
  changeDirection,
  changeProblem,
  changeTiming,
  choiceFromLookupKey,
  entitledRole,
  initialFacts,
  isProblem,
  isStale,
  lookupKeyOf,
  parseChoice,
  planCatalogueSync,
  resumeProblem,
  subscribeProblem,
  validDunningSchedule,
  type ExistingPrice,
  type PlanChoice,
  type SubscriptionFact,
  type SubscriptionView,
} from '../../../src/domain/subscriptions/subscriptions';

const pro: PlanChoice = { plan: 'coach_pro', seatTier: null };
const plus: PlanChoice = { plan: 'coach_pro_plus', seatTier: null };
const active = (plan: PlanChoice, over: Partial<SubscriptionView> = {}): SubscriptionView => ({
  status: 'active',
  plan,
  cancelAtPeriodEnd: false,
  ...over,
});
const none: SubscriptionView = { status: 'none', plan: null, cancelAtPeriodEnd: false };

describe('plan choices and lookup keys', () => {
  it('names the field and the plans on offer for an unknown plan, and only org_pro takes a seat tier', () => {
    const bad = parseChoice('gold', null);
    expect(isProblem(bad) && bad).toMatchObject({ code: 'unknown_plan', field: 'plan' });
    expect(isProblem(bad) && bad.message).toMatch(/coach_pro_plus/);
    expect(parseChoice('superuser', null)).toMatchObject({ code: 'unknown_plan' });
    expect(parseChoice('free', null)).toMatchObject({ code: 'unknown_plan' });
    expect(parseChoice('coach_pro', 'elite')).toMatchObject({ code: 'invalid_seat_tier', field: 'seatTier' });
    expect(parseChoice('org_pro', 'platinum')).toMatchObject({ code: 'invalid_seat_tier' });
    expect(parseChoice('org_pro', undefined)).toEqual({ plan: 'org_pro', seatTier: 'starter' });
  });

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

describe('transition rules (the workflow validators and the API pre-checks)', () => {
  it('subscribe: refused while a subscription is live, allowed after it ended', () => {
    expect(subscribeProblem(none)).toBeNull();
    expect(subscribeProblem(active(pro))).toMatchObject({ code: 'already_subscribed' });
    expect(subscribeProblem(active(pro, { status: 'canceled' }))).toBeNull();
  });

  it('change: the same plan, no subscription and an ended one are refused with their reason', () => {
    expect(changeProblem(active(pro), pro)).toMatchObject({ code: 'same_plan', field: 'plan' });
    expect(changeProblem(none, plus)).toMatchObject({ code: 'no_subscription' });
    expect(changeProblem(active(pro, { status: 'canceled' }), plus)).toMatchObject({
      code: 'subscription_ended',
    });
    expect(changeProblem(active(pro), plus)).toBeNull();
    expect(
      changeProblem(active({ plan: 'org_pro', seatTier: 'growth' }), {
        plan: 'org_pro',
        seatTier: 'starter',
      }),
    ).toBeNull();
  });

  it('upgrades take effect now, downgrades and lateral moves at the period end unless asked', () => {
    expect(changeTiming(pro, plus)).toBe('now');
    expect(changeTiming(plus, pro)).toBe('period_end');
    expect(changeTiming(plus, pro, 'now')).toBe('now');
    expect(changeTiming({ plan: 'scorers_pro', seatTier: null }, pro)).toBe('period_end');
    expect(
      changeDirection({ plan: 'org_pro', seatTier: 'elite' }, { plan: 'org_pro', seatTier: 'starter' }),
    ).toBe('downgrade');
  });

  it('cancel: none / ended / immediately by a non-operator / twice are refused; resume needs a pending cancel', () => {
    expect(cancelProblem(none, false, false)).toMatchObject({ code: 'no_subscription' });
    expect(cancelProblem(active(pro, { status: 'canceled' }), false, false)).toMatchObject({
      code: 'subscription_ended',
    });
    expect(cancelProblem(active(pro), true, false)).toMatchObject({
      code: 'operators_only',
      field: 'immediately',
    });
    expect(cancelProblem(active(pro), true, true)).toBeNull();
    expect(cancelProblem(active(pro, { cancelAtPeriodEnd: true }), false, false)).toMatchObject({
      code: 'already_cancelling',
    });
    expect(resumeProblem(active(pro))).toMatchObject({ code: 'not_cancelling' });
    expect(resumeProblem(active(pro, { status: 'canceled', cancelAtPeriodEnd: true }))).toMatchObject({
      code: 'subscription_ended',
    });
    expect(resumeProblem(active(pro, { cancelAtPeriodEnd: true }))).toBeNull();
  });

  it('dunning schedules must be non-empty and increasing', () => {
    expect(validDunningSchedule([0, 3, 7])).toBeNull();
    expect(validDunningSchedule([])).toMatch(/at least one/);
    expect(validDunningSchedule([0, 3, 3])).toMatch(/increase/);
  });
});

describe('who writes the role', () => {
  it('billing owns its own roles; it raises but never lowers one set outside billing; superuser is never touched', () => {
    expect(
      billingRoleDecision({ current: 'free', target: 'coach_pro', setByBilling: true, why: 'paid' }),
    ).toEqual({ apply: true, reason: 'paid' });
    expect(
      billingRoleDecision({ current: 'coach_pro', target: 'coach_pro', setByBilling: true, why: 'x' }),
    ).toBeNull();
    expect(
      billingRoleDecision({ current: 'superuser', target: 'free', setByBilling: false, why: 'ended' }),
    ).toMatchObject({ apply: false });
    expect(
      billingRoleDecision({ current: 'coach_pro_plus', target: 'free', setByBilling: false, why: 'ended' }),
    ).toMatchObject({
      apply: false,
      reason: expect.stringMatching(/operator or the seed/),
    });
    expect(
      billingRoleDecision({
        current: 'player_pro',
        target: 'coach_pro_plus',
        setByBilling: false,
        why: 'paid',
      }),
    ).toMatchObject({ apply: true });
  });
});

// --- Events in any order --------------------------------------------------------------------------

const SEC = 1000;
const t0 = Date.UTC(2026, 10, 30, 12);
const ev = (n: number, fact: Omit<SubscriptionFact, 'stamp'>, sameSecondAs?: number): SubscriptionFact => ({
  stamp: { atMs: t0 + (sameSecondAs ?? n) * SEC, id: `evt_${String(n).padStart(3, '0')}` },
  ...fact,
});

/** A realistic life: created incomplete, paid, upgraded, renewal failed, paid, cancelled at period end, deleted. */
const life: SubscriptionFact[] = [
  ev(1, { status: 'incomplete', plan: pro, periodEndMs: t0 + 30 * 86_400_000, cancelAtPeriodEnd: false }),
  ev(2, { status: 'active', periodEndMs: t0 + 30 * 86_400_000 }),
  ev(3, { status: 'active', plan: plus, cancelAtPeriodEnd: false }),
  ev(4, { status: 'past_due' }),
  ev(5, { status: 'active', periodEndMs: t0 + 60 * 86_400_000 }),
  ev(6, { cancelAtPeriodEnd: true, status: 'active', plan: plus }),
  // Two events in the same second: the id orders them.
  ev(7, { status: 'canceled', cancelAtPeriodEnd: false }, 6),
];

const fold = (facts: SubscriptionFact[]) => facts.reduce(applyFact, initialFacts());
const visible = (f: ReturnType<typeof fold>) => ({
  status: f.status.value,
  plan: f.plan.value,
  periodEndMs: f.periodEndMs.value,
  cancelAtPeriodEnd: f.cancelAtPeriodEnd.value,
  watermarkMs: f.watermarkMs,
});

describe('folding Stripe events (same events, any order, any repeats → same state)', () => {
  it('in order, the life ends cancelled on Coach Pro Plus, entitled to free', () => {
    const f = fold(life);
    expect(visible(f)).toMatchObject({ status: 'canceled', plan: plus, cancelAtPeriodEnd: false });
    expect(entitledRole(f)).toBe('free');
    expect(entitledRole(fold(life.slice(0, 3)))).toBe('coach_pro_plus');
    expect(entitledRole(fold(life.slice(0, 1)))).toBe('free'); // incomplete: not paid yet
  });

  it('an old event arriving late is stale and changes nothing', () => {
    const f = fold(life.slice(0, 5));
    expect(isStale(f, life[3]!)).toBe(true);
    expect(visible(applyFact(f, life[3]!))).toEqual(visible(f));
  });

  it('property: every permutation of the events, each delivered up to 3 times, folds to the same state', () => {
    const expected = visible(fold(life));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: life.length, maxLength: life.length }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (repeats, noise) => {
          const deliveries = life.flatMap((e, i) => Array.from({ length: repeats[i]! }, () => e));
          const shuffled = deliveries
            .map((e) => ({ e, k: noise.next().value as number }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          expect(visible(fold(shuffled))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: for random fact sets the fold is order-independent and idempotent', () => {
    const statusArb = fc.constantFrom('incomplete', 'active', 'past_due', 'canceled' as const);
    const factArb = fc.record(
      {
        stamp: fc.record({
          atMs: fc.integer({ min: 0, max: 20 }),
          id: fc.string({ minLength: 1, maxLength: 3 }),
        }),
        status: statusArb,
        plan: fc.constantFrom(pro, plus),
        periodEndMs: fc.integer({ min: 0, max: 1e6 }),
        cancelAtPeriodEnd: fc.boolean(),
      },
      { requiredKeys: ['stamp'] },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(factArb, { selector: (f) => `${f.stamp.atMs}|${f.stamp.id}`, maxLength: 12 }),
        fc.func(fc.integer()),
        (facts, key) => {
          const a = fold(facts as SubscriptionFact[]);
          const reordered = [...facts].sort((x, y) => key(x) - key(y));
          const b = fold([...reordered, ...reordered] as SubscriptionFact[]);
          expect(visible(b)).toEqual(visible(a));
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlanChoice } from '../../../src/domain/subscriptions/catalogue';
import {
  applyFact,
  entitledRole,
  initialFacts,
  isStale,
  type SubscriptionFact,
} from '../../../src/domain/subscriptions/state';

const pro: PlanChoice = { plan: 'coach_pro', seatTier: null };
const plus: PlanChoice = { plan: 'coach_pro_plus', seatTier: null };

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

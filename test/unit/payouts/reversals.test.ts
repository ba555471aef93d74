import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_LISTED_REVERSALS,
  payoutReversalState,
  planPayoutReversals,
  readTransferReversed,
  type PayoutReversalFacts,
  type TransferReversedReport,
} from '../../../src/domain/payouts/reversals';

// Stripe's transfer.reversed for a made payout: reading the event's Transfer, and deciding which of
// its reversals are new and whether it may count at all.

const transfer = (over: Record<string, unknown> = {}) => ({
  id: 'tr_1',
  object: 'transfer',
  amount: 9_000,
  amount_reversed: 2_500,
  currency: 'gbp',
  reversals: {
    object: 'list',
    data: [{ id: 'trr_1', object: 'transfer_reversal', amount: 2_500, currency: 'gbp', transfer: 'tr_1' }],
    has_more: false,
  },
  ...over,
});

const report = (over: Partial<TransferReversedReport> = {}): TransferReversedReport => ({
  transferId: 'tr_1',
  amountMinor: 9_000,
  amountReversedMinor: 2_500,
  currency: 'gbp',
  reversals: [{ id: 'trr_1', amountMinor: 2_500, currency: 'gbp' }],
  hasMore: false,
  ...over,
});

const payout = (over: Partial<PayoutReversalFacts> = {}): PayoutReversalFacts => ({
  transferId: 'tr_1',
  amountMinor: 9_000,
  currency: 'gbp',
  posted: [],
  ...over,
});

describe('readTransferReversed', () => {
  it('reads the transfer, its cumulative amount reversed and each listed reversal; currencies lower-cased', () => {
    expect(readTransferReversed(transfer({ currency: 'GBP' }))).toEqual({ ok: true, report: report() });
    const two = readTransferReversed(
      transfer({
        amount_reversed: 4_000,
        reversals: {
          data: [
            { id: 'trr_2', amount: 1_500, currency: 'GBP' },
            { id: 'trr_1', amount: 2_500, currency: 'gbp' },
          ],
          has_more: true,
        },
      }),
    );
    expect(two).toEqual({
      ok: true,
      report: report({
        amountReversedMinor: 4_000,
        reversals: [
          { id: 'trr_2', amountMinor: 1_500, currency: 'gbp' },
          { id: 'trr_1', amountMinor: 2_500, currency: 'gbp' },
        ],
        hasMore: true,
      }),
    });
  });

  it('an empty list is readable (the plan decides what it means)', () => {
    const r = readTransferReversed(transfer({ amount_reversed: 0, reversals: { data: [] } }));
    expect(r).toEqual({ ok: true, report: report({ amountReversedMinor: 0, reversals: [] }) });
  });

  it('refuses what Stripe never sends, naming the field', () => {
    const problem = (over: Record<string, unknown>) => {
      const r = readTransferReversed(transfer(over));
      return r.ok ? undefined : r.problem;
    };
    expect(problem({ id: undefined })).toMatch(/valid id/);
    expect(problem({ id: 'tr_\u0000' })).toMatch(/valid id/);
    expect(problem({ id: 'x'.repeat(256) })).toMatch(/valid id/);
    expect(problem({ amount: -1 })).toMatch(/^amount/);
    expect(problem({ amount: 1.5 })).toMatch(/^amount/);
    expect(problem({ amount: '9000' })).toMatch(/^amount/);
    expect(problem({ amount_reversed: null })).toMatch(/amount_reversed/);
    expect(problem({ amount_reversed: 2 ** 60 })).toMatch(/amount_reversed/);
    expect(problem({ currency: 'pounds' })).toMatch(/currency/);
    expect(problem({ currency: 7 })).toMatch(/currency/);
    expect(problem({ reversals: null })).toMatch(/reversals/);
    expect(problem({ reversals: { data: 'trr_1' } })).toMatch(/reversals/);
    expect(problem({ reversals: { data: [null] } })).toMatch(/reversals\[0\]/);
    expect(problem({ reversals: { data: [{ amount: 1, currency: 'gbp' }] } })).toMatch(/reversals\[0\]/);
    expect(problem({ reversals: { data: [{ id: 'trr_1', amount: 0, currency: 'gbp' }] } })).toMatch(
      /trr_1: amount/,
    );
    expect(problem({ reversals: { data: [{ id: 'trr_1', amount: 5, currency: 'g' }] } })).toMatch(
      /trr_1: currency/,
    );
  });

  it('carries at most MAX_LISTED_REVERSALS and then says the list has more', () => {
    const data = Array.from({ length: MAX_LISTED_REVERSALS + 5 }, (_, i) => ({
      id: `trr_${i}`,
      amount: 1,
      currency: 'gbp',
    }));
    const r = readTransferReversed(transfer({ reversals: { data, has_more: false } }));
    expect(r.ok && r.report.reversals.length).toBe(MAX_LISTED_REVERSALS);
    expect(r.ok && r.report.hasMore).toBe(true);
  });
});

describe('planPayoutReversals', () => {
  it('a first partial reversal: posted; the rest of the payout stands', () => {
    expect(planPayoutReversals(payout(), report())).toEqual({
      ok: true,
      toPost: [{ id: 'trr_1', amountMinor: 2_500, currency: 'gbp' }],
      known: [],
      reversedMinor: 2_500,
      fullyReversed: false,
      unlistedMinor: 0,
    });
  });

  it('the same event again: nothing new', () => {
    const plan = planPayoutReversals(payout({ posted: [{ id: 'trr_1', amountMinor: 2_500 }] }), report());
    expect(plan).toMatchObject({ ok: true, toPost: [], known: ['trr_1'], reversedMinor: 2_500 });
  });

  it('a later event listing the first reversal and a second: only the second is posted; all of it reversed', () => {
    const later = report({
      amountReversedMinor: 9_000,
      reversals: [
        { id: 'trr_2', amountMinor: 6_500, currency: 'gbp' },
        { id: 'trr_1', amountMinor: 2_500, currency: 'gbp' },
      ],
    });
    const plan = planPayoutReversals(payout({ posted: [{ id: 'trr_1', amountMinor: 2_500 }] }), later);
    expect(plan).toEqual({
      ok: true,
      toPost: [{ id: 'trr_2', amountMinor: 6_500, currency: 'gbp' }],
      known: ['trr_1'],
      reversedMinor: 9_000,
      fullyReversed: true,
      unlistedMinor: 0,
    });
  });

  it('events out of order: the older one, arriving after the newer, posts nothing', () => {
    const posted = [
      { id: 'trr_1', amountMinor: 2_500 },
      { id: 'trr_2', amountMinor: 1_000 },
    ];
    expect(planPayoutReversals(payout({ posted }), report())).toMatchObject({
      ok: true,
      toPost: [],
      reversedMinor: 3_500,
      unlistedMinor: 0,
    });
  });

  it('reversals Stripe counted but the event did not list are reported, not posted', () => {
    const plan = planPayoutReversals(
      payout(),
      report({
        amountReversedMinor: 4_000,
        reversals: [{ id: 'trr_2', amountMinor: 1_500, currency: 'gbp' }],
        hasMore: true,
      }),
    );
    expect(plan).toMatchObject({ ok: true, reversedMinor: 1_500, unlistedMinor: 2_500 });
  });

  it('a reversal listed twice with the same amount counts once', () => {
    const line = { id: 'trr_1', amountMinor: 2_500, currency: 'gbp' };
    expect(planPayoutReversals(payout(), report({ reversals: [line, line] }))).toMatchObject({
      ok: true,
      toPost: [line],
      reversedMinor: 2_500,
    });
  });

  it('refuses the whole event when it does not match the payout', () => {
    const code = (p: PayoutReversalFacts, r: TransferReversedReport) => {
      const plan = planPayoutReversals(p, r);
      return plan.ok ? 'ok' : plan.code;
    };
    expect(code(payout({ transferId: 'tr_other' }), report())).toBe('transfer_mismatch');
    expect(code(payout({ transferId: null }), report())).toBe('transfer_mismatch');
    // The transfer's currency, or any reversal's, differs from the payout's.
    expect(code(payout(), report({ currency: 'usd' }))).toBe('currency_mismatch');
    expect(
      code(
        payout(),
        report({
          amountReversedMinor: 3_000,
          reversals: [
            { id: 'trr_1', amountMinor: 2_500, currency: 'gbp' },
            { id: 'trr_2', amountMinor: 500, currency: 'usd' },
          ],
        }),
      ),
    ).toBe('currency_mismatch');
    // The transfer is not the amount we transferred; Stripe's own totals disagree.
    expect(code(payout(), report({ amountMinor: 9_001 }))).toBe('amount_mismatch');
    expect(code(payout(), report({ amountReversedMinor: 9_001 }))).toBe('amount_mismatch');
    expect(code(payout(), report({ amountReversedMinor: 2_000 }))).toBe('amount_mismatch');
    // A reversal we posted is now another amount, or listed twice with two amounts.
    expect(code(payout({ posted: [{ id: 'trr_1', amountMinor: 2_000 }] }), report())).toBe(
      'reversal_mismatch',
    );
    expect(
      code(
        payout(),
        report({
          amountReversedMinor: 5_000,
          reversals: [
            { id: 'trr_1', amountMinor: 2_500, currency: 'gbp' },
            { id: 'trr_1', amountMinor: 2_400, currency: 'gbp' },
          ],
        }),
      ),
    ).toBe('reversal_mismatch');
    // More in total than the payout: what was posted before plus the new one.
    expect(
      code(
        payout({ posted: [{ id: 'trr_0', amountMinor: 7_000 }] }),
        report({
          amountReversedMinor: 9_000,
          reversals: [{ id: 'trr_1', amountMinor: 2_500, currency: 'gbp' }],
        }),
      ),
    ).toBe('over_reversed');
  });

  it('the payout row’s currency may carry CHAR(3) padding or capitals', () => {
    expect(planPayoutReversals(payout({ currency: 'GBP ' }), report())).toMatchObject({ ok: true });
  });

  it('whatever arrives, in any order and repeated: never more than the payout, each reversal once (property)', () => {
    const reversal = fc.record({
      id: fc.constantFrom('trr_a', 'trr_b', 'trr_c', 'trr_d', 'trr_e'),
      amountMinor: fc.integer({ min: 1, max: 4_000 }),
      currency: fc.constantFrom('gbp', 'gbp', 'gbp', 'usd'),
    });
    const event = fc.record({
      amountMinor: fc.constantFrom(9_000, 9_000, 9_000, 8_000),
      currency: fc.constantFrom('gbp', 'gbp', 'gbp', 'eur'),
      reversals: fc.array(reversal, { maxLength: 4 }),
      extra: fc.integer({ min: 0, max: 3_000 }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), (events) => {
        const posted: { id: string; amountMinor: number }[] = [];
        for (const e of events) {
          const listed = e.reversals.reduce((s, r) => s + r.amountMinor, 0);
          const plan = planPayoutReversals(
            payout({ posted: [...posted] }),
            report({
              amountMinor: e.amountMinor,
              currency: e.currency,
              amountReversedMinor: listed + e.extra,
              reversals: e.reversals,
            }),
          );
          if (!plan.ok) continue;
          for (const r of plan.toPost) {
            expect(posted.some((p) => p.id === r.id)).toBe(false);
            expect(r.currency).toBe('gbp');
            posted.push({ id: r.id, amountMinor: r.amountMinor });
          }
          const total = posted.reduce((s, p) => s + p.amountMinor, 0);
          expect(plan.reversedMinor).toBe(total);
          expect(plan.fullyReversed).toBe(total === 9_000);
        }
        expect(posted.reduce((s, p) => s + p.amountMinor, 0)).toBeLessThanOrEqual(9_000);
        expect(new Set(posted.map((p) => p.id)).size).toBe(posted.length);
      }),
    );
  });
});

describe('payoutReversalState', () => {
  it('none, partial or full', () => {
    expect(payoutReversalState(9_000, 0)).toBe('none');
    expect(payoutReversalState(9_000, 1)).toBe('partial');
    expect(payoutReversalState(9_000, 8_999)).toBe('partial');
    expect(payoutReversalState(9_000, 9_000)).toBe('full');
  });
});

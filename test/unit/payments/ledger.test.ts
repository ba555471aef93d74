import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BPS,
  LedgerError,
  accounts,
  draftProblem,
  feeSplit,
  ledger,
  sumsByCurrency,
  type LedgerLine,
  type LedgerTransactionDraft,
} from '../../../src/domain/payments/ledger';

const at = '2026-11-30T12:00:00.000Z';
const ids = { reference: 'paid-session:s1', studentId: 'student-1', coachId: 'coach-1' };

const balanceOf = (drafts: LedgerTransactionDraft[], account: string, currency = 'gbp') =>
  drafts
    .flatMap((d) => d.lines)
    .filter((l) => l.account === account && l.currency === currency)
    .reduce((s, l) => s + l.amountMinor, 0);

const balanced = (lines: LedgerLine[]) => [...sumsByCurrency(lines).values()].every((v) => v === 0);

describe('feeSplit', () => {
  it('rounds the platform fee down, so the coach gets the fraction', () => {
    expect(feeSplit(1_005, 1000)).toEqual({ coachMinor: 905, platformMinor: 100 });
    expect(feeSplit(9, 1000)).toEqual({ coachMinor: 9, platformMinor: 0 });
    expect(feeSplit(10, 1000)).toEqual({ coachMinor: 9, platformMinor: 1 });
    expect(feeSplit(0, 1000)).toEqual({ coachMinor: 0, platformMinor: 0 });
    expect(feeSplit(12_345, 0)).toEqual({ coachMinor: 12_345, platformMinor: 0 });
    expect(feeSplit(12_345, BPS)).toEqual({ coachMinor: 0, platformMinor: 12_345 });
  });

  it('is exact for amounts where amount × bps would lose precision in a double', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const { coachMinor, platformMinor } = feeSplit(big, 3333);
    expect(BigInt(platformMinor)).toBe((BigInt(big) * 3333n) / 10_000n);
    expect(coachMinor + platformMinor).toBe(big);
  });

  it('refuses fractions, negatives and rates outside 0–100 %', () => {
    expect(() => feeSplit(10.5, 1000)).toThrow(LedgerError);
    expect(() => feeSplit(-1, 1000)).toThrow(/non-negative integer/);
    expect(() => feeSplit(100, 10_001)).toThrow(/feeBps/);
    expect(() => feeSplit(100, 1.5)).toThrow(/feeBps/);
    expect(() => feeSplit(Number.NaN, 1000)).toThrow(LedgerError);
  });

  it('always sums to the amount, with the fee never above its exact share (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: BPS }),
        (amount, bps) => {
          const { coachMinor, platformMinor } = feeSplit(amount, bps);
          expect(coachMinor + platformMinor).toBe(amount);
          expect(platformMinor).toBeGreaterThanOrEqual(0);
          expect(coachMinor).toBeGreaterThanOrEqual(0);
          // platform ≤ exact share < platform + 1
          expect(BigInt(platformMinor) * BigInt(BPS) <= BigInt(amount) * BigInt(bps)).toBe(true);
          expect((BigInt(platformMinor) + 1n) * BigInt(BPS) > BigInt(amount) * BigInt(bps)).toBe(true);
        },
      ),
    );
  });
});

describe('builders', () => {
  it('a paid session: authorise 5,000, capture 1,234 at 10 %, release the rest', () => {
    const auth = ledger.authorisation({ ...ids, amountMinor: 5_000, currency: 'GBP', occurredAt: at });
    const capture = ledger.capture({
      ...ids,
      amountMinor: 1_234,
      currency: 'gbp',
      feeBps: 1000,
      occurredAt: at,
    });
    const release = ledger.release({ ...ids, amountMinor: 3_766, currency: 'gbp', occurredAt: at });
    expect(auth).toMatchObject({
      key: 'authorisation:paid-session:s1',
      kind: 'authorisation',
      currency: 'gbp',
    });
    expect(capture.key).toBe('capture:paid-session:s1');
    expect(release.key).toBe('release:paid-session:s1');
    const all = [auth, capture, release];
    for (const d of all) expect(balanced(d.lines)).toBe(true);
    // The hold is fully cleared and the card's memo side with it.
    expect(balanceOf(all, accounts.authorised(ids.reference))).toBe(0);
    expect(balanceOf(all, accounts.studentCard(ids.studentId))).toBe(0);
    // Money: 1,234 in; coach owed 1,111; platform earned 123.
    expect(balanceOf(all, accounts.cash)).toBe(1_234);
    expect(balanceOf(all, accounts.coachPayable(ids.coachId))).toBe(-1_111);
    expect(balanceOf(all, accounts.platformFee)).toBe(-123);
  });

  it('books a known Stripe fee against cash', () => {
    const d = ledger.bookingPayment({
      ...ids,
      reference: 'booking:b1',
      amountMinor: 10_000,
      currency: 'usd',
      feeBps: 1000,
      stripeFeeMinor: 320,
      occurredAt: at,
    });
    expect(d.lines).toEqual(
      expect.arrayContaining([
        { account: accounts.cash, amountMinor: 9_680, currency: 'usd' },
        { account: accounts.stripeFees, amountMinor: 320, currency: 'usd' },
        { account: accounts.coachPayable('coach-1'), amountMinor: -9_000, currency: 'usd' },
        { account: accounts.platformFee, amountMinor: -1_000, currency: 'usd' },
      ]),
    );
    expect(d.lines).toHaveLength(4); // cash lines merged into one entry
    expect(d.amountMinor).toBe(10_000);
  });

  it('a full refund takes back exactly what the sale gave', () => {
    const sale = ledger.bookingPayment({
      ...ids,
      reference: 'booking:b1',
      amountMinor: 4_999,
      currency: 'gbp',
      feeBps: 1250,
      occurredAt: at,
    });
    const refund = ledger.bookingRefund({
      ...ids,
      reference: 'booking:b1',
      refundId: 're_1',
      amountMinor: 4_999,
      currency: 'gbp',
      feeBps: 1250,
      occurredAt: at,
    });
    expect(refund.key).toBe('booking_refund:booking:b1:re_1');
    for (const account of [accounts.cash, accounts.platformFee, accounts.coachPayable('coach-1')]) {
      expect(balanceOf([sale, refund], account)).toBe(0);
    }
  });

  it('a payout and its reversal move the coach payable against cash', () => {
    const p = ledger.payout({
      payoutId: 'po1',
      coachId: 'coach-1',
      amountMinor: 900,
      currency: 'eur',
      occurredAt: at,
    });
    const r = ledger.payoutReversal({
      payoutId: 'po1',
      coachId: 'coach-1',
      amountMinor: 900,
      currency: 'eur',
      reason: 'account closed',
      occurredAt: at,
    });
    expect(p).toMatchObject({ key: 'payout:po1', reference: 'payout:po1', kind: 'payout' });
    expect(r).toMatchObject({ key: 'payout_reversal:po1', memo: 'account closed' });
    expect(balanceOf([p], accounts.coachPayable('coach-1'), 'eur')).toBe(900);
    expect(balanceOf([p, r], accounts.coachPayable('coach-1'), 'eur')).toBe(0);
  });

  it('a transfer reversal (Stripe took part of a made payout back): keyed by the reversal, same lines as a reversal', () => {
    const base = { payoutId: 'po1', coachId: 'coach-1', currency: 'EUR', occurredAt: at };
    const p = ledger.payout({ ...base, amountMinor: 900 });
    const r1 = ledger.transferReversal({ ...base, amountMinor: 300, reversalId: 'trr_1' });
    const r2 = ledger.transferReversal({ ...base, amountMinor: 600, reversalId: 'trr_2' });
    expect(r1).toMatchObject({
      key: 'payout_reversal:po1:trr_1',
      kind: 'payout_reversal',
      reference: 'payout:po1',
      amountMinor: 300,
      currency: 'eur',
      memo: 'Stripe reversed the transfer (trr_1)',
    });
    expect(r2.key).toBe('payout_reversal:po1:trr_2');
    // Never the failed-transfer reversal's key, so the two can never be taken for one another.
    expect(r1.key).not.toBe(ledger.payoutReversal({ ...base, amountMinor: 300, reason: 'x' }).key);
    const payable = accounts.coachPayable('coach-1');
    expect(balanceOf([p, r1], payable, 'eur')).toBe(600);
    expect(balanceOf([p, r1, r2], payable, 'eur')).toBe(0);
    expect(balanceOf([p, r1, r2], accounts.cash, 'eur')).toBe(0);
    for (const d of [r1, r2]) expect(balanced(d.lines)).toBe(true);
    expect(() => ledger.transferReversal({ ...base, amountMinor: 1, reversalId: '' })).toThrow(/reversalId/);
    expect(() => ledger.transferReversal({ ...base, amountMinor: -1, reversalId: 'trr_3' })).toThrow(
      /amountMinor/,
    );
  });

  it('leaves zero lines out (a zero release has no entries but is still a record)', () => {
    const d = ledger.release({ ...ids, amountMinor: 0, currency: 'gbp', occurredAt: at });
    expect(d.lines).toEqual([]);
    expect(draftProblem(d)).toBeUndefined();
  });

  it('refuses what no business event produces', () => {
    const base = { ...ids, currency: 'gbp', feeBps: 1000, occurredAt: at };
    expect(() => ledger.capture({ ...base, amountMinor: -5 })).toThrow(/amountMinor/);
    expect(() => ledger.capture({ ...base, amountMinor: 1.5 })).toThrow(/amountMinor/);
    expect(() => ledger.capture({ ...base, amountMinor: 100, currency: 'pounds' })).toThrow(/currency/);
    expect(() => ledger.capture({ ...base, amountMinor: 100, occurredAt: 'yesterday' })).toThrow(
      /occurredAt/,
    );
    expect(() => ledger.capture({ ...base, amountMinor: 100, coachId: '' })).toThrow(/coachId/);
    expect(() => ledger.capture({ ...base, amountMinor: 100, reference: 'a\u0000b' })).toThrow(/reference/);
    expect(() => ledger.capture({ ...base, amountMinor: 100, stripeFeeMinor: -1 })).toThrow(/stripeFeeMinor/);
  });

  it('draftProblem catches an unbalanced or malformed hand-made draft', () => {
    const good = ledger.capture({ ...ids, amountMinor: 100, currency: 'gbp', feeBps: 1000, occurredAt: at });
    expect(draftProblem(good)).toBeUndefined();
    const tampered = {
      ...good,
      lines: good.lines.map((l, i) => (i === 0 ? { ...l, amountMinor: l.amountMinor + 1 } : l)),
    };
    expect(draftProblem(tampered)).toMatch(/gbp does not balance \(sum 1\)/);
    expect(draftProblem({ ...good, kind: 'gift' as never })).toMatch(/kind/);
    expect(
      draftProblem({ ...good, lines: [...good.lines, { account: 'x', amountMinor: 0, currency: 'gbp' }] }),
    ).toMatch(/non-zero/);
    expect(draftProblem({ ...good, amountMinor: -1 })).toMatch(/amountMinor/);
  });
});

describe('random event sequences (property)', () => {
  type Event =
    | { t: 'session'; locked: number; captured: number; feeBps: number }
    | { t: 'booking'; amount: number; refunded: number; feeBps: number }
    | { t: 'payout'; amount: number; reversed: boolean };

  const amount = fc.integer({ min: 0, max: 99_999_999 });
  const event: fc.Arbitrary<Event> = fc.oneof(
    fc
      .record({
        locked: amount,
        frac: fc.double({ min: 0, max: 1, noNaN: true }),
        feeBps: fc.integer({ min: 0, max: BPS }),
      })
      .map(({ locked, frac, feeBps }) => ({
        t: 'session' as const,
        locked,
        captured: Math.floor(locked * frac),
        feeBps,
      })),
    fc
      .record({
        amount,
        frac: fc.double({ min: 0, max: 1, noNaN: true }),
        feeBps: fc.integer({ min: 0, max: BPS }),
      })
      .map(({ amount, frac, feeBps }) => ({
        t: 'booking' as const,
        amount,
        refunded: Math.floor(amount * frac),
        feeBps,
      })),
    fc.record({ amount, reversed: fc.boolean() }).map((p) => ({ t: 'payout' as const, ...p })),
  );

  it('every transaction sums to zero; captured = coach + fee; locked − captured = released; keys are unique', () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 30 }),
        fc.constantFrom('gbp', 'usd', 'jpy'),
        (events, currency) => {
          const drafts: LedgerTransactionDraft[] = [];
          events.forEach((e, i) => {
            const base = { studentId: `st${i}`, coachId: 'c', currency, occurredAt: at };
            if (e.t === 'session') {
              const reference = `paid-session:${i}`;
              const cap = ledger.capture({ ...base, reference, amountMinor: e.captured, feeBps: e.feeBps });
              drafts.push(
                ledger.authorisation({ ...base, reference, amountMinor: e.locked }),
                cap,
                ledger.release({ ...base, reference, amountMinor: e.locked - e.captured }),
              );
              const coach = -balanceOf([cap], accounts.coachPayable('c'), currency);
              const fee = -balanceOf([cap], accounts.platformFee, currency);
              expect(coach + fee + 0).toBe(e.captured); // + 0: -0 from negating an empty sum
              expect(balanceOf(drafts, accounts.authorised(reference), currency)).toBe(0);
            } else if (e.t === 'booking') {
              const reference = `booking:${i}`;
              drafts.push(
                ledger.bookingPayment({ ...base, reference, amountMinor: e.amount, feeBps: e.feeBps }),
              );
              drafts.push(
                ledger.bookingRefund({
                  ...base,
                  reference,
                  refundId: `re${i}`,
                  amountMinor: e.refunded,
                  feeBps: e.feeBps,
                }),
              );
            } else {
              drafts.push(
                ledger.payout({
                  payoutId: `p${i}`,
                  coachId: 'c',
                  amountMinor: e.amount,
                  currency,
                  occurredAt: at,
                }),
              );
              if (e.reversed)
                drafts.push(
                  ledger.payoutReversal({
                    payoutId: `p${i}`,
                    coachId: 'c',
                    amountMinor: e.amount,
                    currency,
                    reason: 'r',
                    occurredAt: at,
                  }),
                );
            }
          });
          for (const d of drafts) {
            expect(draftProblem(d)).toBeUndefined();
            expect(balanced(d.lines)).toBe(true);
          }
          expect(new Set(drafts.map((d) => d.key)).size).toBe(drafts.length);
          // The whole ledger balances too, and every hold is cleared.
          expect(balanced(drafts.flatMap((d) => d.lines))).toBe(true);
          expect(
            drafts
              .flatMap((d) => d.lines)
              .filter((l) => l.account.startsWith('student_card:'))
              .reduce((s, l) => s + l.amountMinor, 0),
          ).toBe(0);
        },
      ),
    );
  });
});

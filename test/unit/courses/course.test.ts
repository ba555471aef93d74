import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  COURSE_ACCESS_TYPES,
  MAX_PRICE_PER_MINUTE_MINOR,
  membershipIncludesCourses,
  pricingProblems,
  publishProblems,
  slugProblem,
} from '../../../src/domain/courses/course';
import { ROLES } from '../../../src/domain/subscriptions/plans';

const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('course slugs', () => {
  it.each(['batting-basics', 'abc', 'u19-spin-101', 'a'.repeat(80)])('accepts %s', (slug) =>
    expect(slugProblem(slug)).toBeUndefined(),
  );

  it.each([
    ['ab', 'characters long'],
    ['a'.repeat(81), 'characters long'],
    ['Batting', 'lower-case'],
    ['batting basics', 'lower-case'],
    ['-batting', 'lower-case'],
    ['batting-', 'lower-case'],
    ['batting--basics', 'lower-case'],
    ['bätting', 'lower-case'],
    ['batting/../x', 'lower-case'],
  ])('refuses %j (%s)', (slug, reason) => expect(slugProblem(slug)).toContain(reason));

  it('accepts exactly what is url-safe without escaping', () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 90 }), (s) => {
        if (slugProblem(s) === undefined) expect(encodeURIComponent(s)).toBe(s);
      }),
    ));
});

describe('course pricing', () => {
  it('a paid_per_minute course needs a positive price', () => {
    expect(
      pricingProblems({ accessType: 'paid_per_minute', pricePerMinuteMinor: 0, currency: 'gbp' }),
    ).toEqual([
      { field: 'pricePerMinuteMinor', reason: 'must be greater than 0 for a paid_per_minute course' },
    ]);
    expect(
      pricingProblems({ accessType: 'paid_per_minute', pricePerMinuteMinor: 25, currency: 'gbp' }),
    ).toEqual([]);
  });

  it.each(['free', 'email_gate', 'membership'] as const)('a %s course has price 0', (accessType) => {
    expect(pricingProblems({ accessType, pricePerMinuteMinor: 0, currency: 'usd' })).toEqual([]);
    expect(fields(pricingProblems({ accessType, pricePerMinuteMinor: 1, currency: 'usd' }))).toEqual([
      'pricePerMinuteMinor',
    ]);
  });

  it.each([
    [-1, 'pricePerMinuteMinor'],
    [1.5, 'pricePerMinuteMinor'],
    [Number.MAX_SAFE_INTEGER + 2, 'pricePerMinuteMinor'],
    [MAX_PRICE_PER_MINUTE_MINOR + 1, 'pricePerMinuteMinor'],
    [Number.NaN, 'pricePerMinuteMinor'],
  ])('refuses price %s', (price, field) =>
    expect(
      fields(pricingProblems({ accessType: 'paid_per_minute', pricePerMinuteMinor: price, currency: 'gbp' })),
    ).toEqual([field]),
  );

  it.each(['GBP', 'xyz', 'gb', 'gbpp', ''])(
    'refuses currency %j (lower-case supported codes only)',
    (currency) =>
      expect(fields(pricingProblems({ accessType: 'free', pricePerMinuteMinor: 0, currency }))).toEqual([
        'currency',
      ]),
  );

  it('any combination is either accepted or refused with named fields, never thrown', () =>
    fc.assert(
      fc.property(
        fc.constantFrom(...COURSE_ACCESS_TYPES),
        fc.oneof(fc.integer(), fc.double()),
        fc.string({ maxLength: 4 }),
        (accessType, pricePerMinuteMinor, currency) => {
          const problems = pricingProblems({ accessType, pricePerMinuteMinor, currency });
          const ok =
            /^(usd|gbp|eur|jpy)$/.test(currency) &&
            Number.isSafeInteger(pricePerMinuteMinor) &&
            (accessType === 'paid_per_minute'
              ? pricePerMinuteMinor > 0 && pricePerMinuteMinor <= MAX_PRICE_PER_MINUTE_MINOR
              : pricePerMinuteMinor === 0);
          if (ok) expect(problems).toEqual([]);
          else if (/^(usd|gbp|eur|jpy)$/.test(currency)) expect(problems.length).toBeGreaterThan(0);
        },
      ),
    ));
});

describe('publishing', () => {
  it('needs at least one lecture', () => {
    expect(fields(publishProblems(0))).toEqual(['published']);
    expect(publishProblems(1)).toEqual([]);
  });
});

describe('membership courses', () => {
  it('come with every paid plan and superuser, not with Free', () => {
    expect(membershipIncludesCourses('free')).toBe(false);
    for (const role of ROLES.filter((r) => r !== 'free'))
      expect(membershipIncludesCourses(role), role).toBe(true);
  });
});

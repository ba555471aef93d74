import { describe, expect, it } from 'vitest';
import {
  creditExpiry,
  isEmptyPackage,
  packageProblems,
  saleProblem,
  type SaleFacts,
} from '../../../src/domain/purchases/packages';
import { creditReturnedOnCancel, creditState } from '../../../src/domain/purchases/credits';

const pkg = {
  type: 'PACKAGE' as const,
  productIds: [] as string[],
  creditServiceId: 'svc',
  creditCount: 5,
  expiryDays: 90,
  courseId: null as string | null,
};

describe('packageProblems', () => {
  it('accepts a package of credits, and a plain product', () => {
    expect(packageProblems(pkg)).toEqual([]);
    expect(
      packageProblems({
        type: 'PRODUCT',
        productIds: [],
        creditServiceId: null,
        creditCount: 0,
        expiryDays: null,
        courseId: null,
      }),
    ).toEqual([]);
  });

  it('names each field that is wrong', () => {
    expect(packageProblems({ ...pkg, creditServiceId: null })).toEqual([
      { field: 'credits.serviceId', reason: 'is required with credits' },
    ]);
    expect(packageProblems({ ...pkg, expiryDays: null })[0]?.field).toBe('credits.expiryDays');
    expect(packageProblems({ ...pkg, expiryDays: 0 })[0]?.field).toBe('credits.expiryDays');
    expect(packageProblems({ ...pkg, creditCount: 501 })[0]?.field).toBe('credits.count');
    expect(packageProblems({ ...pkg, creditCount: 1.5 })[0]?.field).toBe('credits.count');
    expect(packageProblems({ ...pkg, productIds: ['a', 'a'] })[0]).toEqual({
      field: 'productIds',
      reason: 'lists a product more than once',
    });
  });

  it('refuses contents on a plain product', () => {
    expect(packageProblems({ ...pkg, type: 'PRODUCT' }).map((p) => p.field)).toEqual(['credits']);
    expect(
      packageProblems({
        type: 'PRODUCT',
        productIds: ['x'],
        creditServiceId: null,
        creditCount: 0,
        expiryDays: null,
        courseId: null,
      }),
    ).toEqual([{ field: 'productIds', reason: 'only a PACKAGE bundles products' }]);
    expect(
      packageProblems({
        type: 'PRODUCT',
        productIds: [],
        creditServiceId: null,
        creditCount: 0,
        expiryDays: null,
        courseId: 'course',
      }),
    ).toEqual([{ field: 'courseId', reason: 'only a PACKAGE includes a course' }]);
  });

  it('accepts a package that is only a course', () => {
    expect(
      packageProblems({ ...pkg, creditServiceId: null, creditCount: 0, expiryDays: null, courseId: 'c' }),
    ).toEqual([]);
  });
});

describe('saleProblem', () => {
  const base: SaleFacts = {
    buyerId: 'buyer',
    coachId: 'coach',
    active: true,
    archived: false,
    contents: { type: 'PACKAGE', itemCount: 0, creditCount: 3 },
    priceMinor: 9000,
    creditServiceActive: true,
  };

  it('sells an active package with contents to someone else', () => {
    expect(saleProblem(base)).toBeNull();
  });

  it('refuses, in order: own product, archived, not on sale, empty package, dead service, free', () => {
    expect(saleProblem({ ...base, buyerId: 'coach', archived: true })?.code).toBe('own_product');
    expect(saleProblem({ ...base, archived: true, active: false })?.code).toBe('archived');
    expect(saleProblem({ ...base, active: false })?.code).toBe('not_for_sale');
    expect(saleProblem({ ...base, contents: { type: 'PACKAGE', itemCount: 0, creditCount: 0 } })?.code).toBe(
      'empty_package',
    );
    expect(saleProblem({ ...base, creditServiceActive: false })?.code).toBe('not_for_sale');
    expect(saleProblem({ ...base, coursePublished: false })).toEqual({
      code: 'not_for_sale',
      field: 'id',
      reason: 'its course is not published',
    });
    expect(saleProblem({ ...base, coursePublished: true })).toBeNull();
    expect(saleProblem({ ...base, priceMinor: 0 })?.code).toBe('free_product');
  });

  it('a package of products only is not empty; a plain product never is', () => {
    expect(isEmptyPackage({ type: 'PACKAGE', itemCount: 2, creditCount: 0 })).toBe(false);
    expect(isEmptyPackage({ type: 'PRODUCT', itemCount: 0, creditCount: 0 })).toBe(false);
  });

  it('a package of a course only is not empty, and may be sold', () => {
    expect(isEmptyPackage({ type: 'PACKAGE', itemCount: 0, creditCount: 0, hasCourse: true })).toBe(false);
    expect(isEmptyPackage({ type: 'PACKAGE', itemCount: 0, creditCount: 0, hasCourse: false })).toBe(true);
  });
});

describe('credits', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  it('expire exactly expiryDays after the payment', () => {
    expect(creditExpiry(now, 90).toISOString()).toBe('2027-02-28T12:00:00.000Z');
  });

  it('state: revoked wins, then expired (at the instant), then used up', () => {
    const g = { remaining: 2, expiresAt: new Date(now.getTime() + 1), revokedAt: null };
    expect(creditState(g, now)).toBe('active');
    expect(creditState({ ...g, expiresAt: now }, now)).toBe('expired');
    expect(creditState({ ...g, remaining: 0 }, now)).toBe('used_up');
    expect(creditState({ ...g, revokedAt: now, expiresAt: now }, now)).toBe('revoked');
  });

  it('a cancellation gives the credit back wherever a payment would get money back', () => {
    expect(creditReturnedOnCancel(100)).toBe(true);
    expect(creditReturnedOnCancel(50)).toBe(true);
    expect(creditReturnedOnCancel(0)).toBe(false);
  });
});

import { PLAN_DEFINITIONS, type Role } from '../subscriptions/plans';
import { isSupportedCurrency } from '../shared/money';
import type { FieldProblem } from '../shared/errors';

// A course's own rules (seed 003 §6, seed 002 content_structure): its slug, who it is for and what it
// costs. Pure; the use cases reject with these problems and the database repeats the core checks.

export const COURSE_ACCESS_TYPES = ['free', 'paid_per_minute', 'email_gate', 'membership'] as const;
export type CourseAccessType = (typeof COURSE_ACCESS_TYPES)[number];

/** Lower-case words of letters and digits joined by single hyphens: safe in a URL as it is. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MIN = 3;
export const SLUG_MAX = 80;

/** 1,000.00 a minute in a 2-decimal currency: far above any real price, far below integer overflow. */
export const MAX_PRICE_PER_MINUTE_MINOR = 100_000;

export function slugProblem(slug: string): string | undefined {
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX)
    return `must be ${SLUG_MIN}–${SLUG_MAX} characters long`;
  if (!SLUG_PATTERN.test(slug))
    return 'must be lower-case letters and digits in words joined by single hyphens, e.g. "batting-basics"';
  return undefined;
}

/** Stripe writes currencies in lower case; so do we. */
export const normaliseCurrency = (code: string): string => code.trim().toLowerCase();

export interface CoursePricing {
  accessType: CourseAccessType;
  pricePerMinuteMinor: number;
  currency: string;
}

/**
 * paid_per_minute needs a positive whole price per minute in a supported currency; every other access
 * type is not sold by the minute, so its price must be 0 (a stray price would be shown but never charged).
 */
export function pricingProblems(p: CoursePricing): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isSupportedCurrency(p.currency.toUpperCase()) || !/^[a-z]{3}$/.test(p.currency))
    problems.push({ field: 'currency', reason: 'must be a supported 3-letter ISO 4217 code such as "gbp"' });
  const price = p.pricePerMinuteMinor;
  if (!Number.isSafeInteger(price) || price < 0)
    problems.push({ field: 'pricePerMinuteMinor', reason: 'must be a whole number of minor units ≥ 0' });
  else if (p.accessType === 'paid_per_minute') {
    if (price === 0)
      problems.push({
        field: 'pricePerMinuteMinor',
        reason: 'must be greater than 0 for a paid_per_minute course',
      });
    else if (price > MAX_PRICE_PER_MINUTE_MINOR)
      problems.push({
        field: 'pricePerMinuteMinor',
        reason: `must be at most ${MAX_PRICE_PER_MINUTE_MINOR}`,
      });
  } else if (price !== 0)
    problems.push({
      field: 'pricePerMinuteMinor',
      reason: `must be 0 for a ${p.accessType} course (only paid_per_minute courses have a price)`,
    });
  return problems;
}

/** A course goes public only with something to watch. */
export function publishProblems(lectureCount: number): FieldProblem[] {
  return lectureCount > 0
    ? []
    : [{ field: 'published', reason: 'a course needs at least one lecture to be published' }];
}

/**
 * Which plans a `membership` course comes with. The plans are the platform's subscription tiers and
 * no tier is tied to one coach, so a membership course is included in every paid tier in effect
 * (Player Pro upwards, org seats included, superuser too) and in none of Free. Tying a course to a
 * particular tier would need a per-course tier list the seeds never ask for; "any paid membership"
 * is what seed 003's MEMBERSHIP gate means in practice, and it lapses with the subscription (the
 * plan in effect returns to free), so access is re-checked at every playback.
 */
export function membershipIncludesCourses(plan: Role): boolean {
  return plan === 'superuser' || PLAN_DEFINITIONS[plan].priceMonthlyMinor > 0;
}

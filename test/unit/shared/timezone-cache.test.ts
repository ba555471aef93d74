import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  formatInZone,
  isValidTimeZone,
  TIME_ZONE_SPELLING_CACHE_LIMIT,
  timeZoneCacheSizes,
} from '../../../src/domain/shared/timezone';

/** Every upper/lower-case variant of `name`, lazily, up to `limit`. */
function* caseVariants(name: string, limit: number): Generator<string> {
  const letters = [...name].map((ch, i) => [i, ch] as const).filter(([, ch]) => /[a-z]/i.test(ch));
  for (let mask = 0; mask < Math.min(limit, 2 ** letters.length); mask++) {
    const chars = [...name];
    letters.forEach(([i, ch], bit) => {
      chars[i] = mask & (1 << bit) ? ch.toUpperCase() : ch.toLowerCase();
    });
    yield chars.join('');
  }
}

describe('time-zone caches (issue 9 #1)', () => {
  it('stay bounded however many spellings of one zone arrive', () => {
    let valid = 0;
    for (const spelling of caseVariants('America/Argentina/ComodRivadavia', 5_000)) {
      if (isValidTimeZone(spelling)) valid++;
    }
    expect(valid).toBe(5_000);
    const sizes = timeZoneCacheSizes();
    expect(sizes.spellings).toBeLessThanOrEqual(TIME_ZONE_SPELLING_CACHE_LIMIT);
    expect(sizes.formatters).toBeLessThan(10);
  });

  it('stay bounded for invalid input too', () => {
    for (let i = 0; i < 3_000; i++) expect(isValidTimeZone(`Nowhere/${i}`)).toBe(false);
    expect(timeZoneCacheSizes().spellings).toBeLessThanOrEqual(TIME_ZONE_SPELLING_CACHE_LIMIT);
  });

  it('treat any spelling as its canonical zone', () => {
    expect(canonicalTimeZone('europe/LONDON')).toBe('Europe/London');
    expect(canonicalTimeZone('Not/AZone')).toBeUndefined();
    expect(canonicalTimeZone('x'.repeat(1000))).toBeUndefined();
    const at = new Date('2026-07-01T12:00:00Z');
    expect(formatInZone(at, 'EUROPE/london')).toBe(formatInZone(at, 'Europe/London'));
  });
});

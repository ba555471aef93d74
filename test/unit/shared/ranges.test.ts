import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  contains,
  intersect,
  merge,
  overlaps,
  subtract,
  type Range,
} from '../../../src/domain/shared/ranges';

const r = (start: number, end: number): Range => ({ start, end });

describe('merge', () => {
  it('sorts, coalesces overlapping and touching ranges, drops empty ones', () => {
    expect(merge([r(5, 7), r(1, 3), r(2, 4), r(4, 5), r(9, 9), r(10, 8), r(20, 30)])).toEqual([
      r(1, 7),
      r(20, 30),
    ]);
    expect(merge([])).toEqual([]);
  });

  it('does not mutate its input', () => {
    const input = [r(3, 4), r(1, 3)];
    merge(input);
    expect(input).toEqual([r(3, 4), r(1, 3)]);
  });
});

describe('intersect', () => {
  it('keeps only the common parts', () => {
    expect(intersect([r(0, 10), r(20, 30)], [r(5, 25)])).toEqual([r(5, 10), r(20, 25)]);
    expect(intersect([r(0, 10)], [r(10, 20)])).toEqual([]);
    expect(intersect([r(0, 10)], [])).toEqual([]);
  });
});

describe('subtract', () => {
  it('cuts holes out of ranges', () => {
    expect(subtract([r(0, 10)], [r(2, 3), r(5, 7)])).toEqual([r(0, 2), r(3, 5), r(7, 10)]);
    expect(subtract([r(0, 10)], [r(0, 10)])).toEqual([]);
    expect(subtract([r(0, 10), r(20, 30)], [r(5, 25)])).toEqual([r(0, 5), r(25, 30)]);
    expect(subtract([r(0, 10)], [r(10, 12), r(-5, 0)])).toEqual([r(0, 10)]);
  });
});

describe('overlaps / contains', () => {
  it('treats ranges as half-open', () => {
    expect(overlaps(r(0, 10), r(10, 20))).toBe(false);
    expect(overlaps(r(0, 10), r(9, 20))).toBe(true);
    expect(overlaps(r(0, 10), r(5, 5))).toBe(false);
    expect(contains(r(0, 10), r(0, 10))).toBe(true);
    expect(contains(r(0, 10), r(1, 11))).toBe(false);
    expect(contains(r(0, 10), r(3, 3))).toBe(false);
  });
});

// Reference model: a range set is the set of integer points p with start <= p < end.
const points = (ranges: readonly Range[]): Set<number> => {
  const s = new Set<number>();
  for (const x of ranges) for (let p = x.start; p < x.end; p++) s.add(p);
  return s;
};
const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }))
  .map(([a, b]) => r(a, b));
const setArb = fc.array(rangeArb, { maxLength: 8 });

// Normal form: sorted, non-empty, and separated by a gap (touching ranges would have been merged).
const expectNormal = (ranges: Range[], allowTouching = false) => {
  ranges.forEach((x, i) => {
    expect(x.end).toBeGreaterThan(x.start);
    const prev = ranges[i - 1];
    if (prev) expect(allowTouching ? x.start >= prev.end : x.start > prev.end).toBe(true);
  });
};

describe('properties against a point-set model', () => {
  it('merge', () => {
    fc.assert(
      fc.property(setArb, (a) => {
        const m = merge(a);
        expectNormal(m);
        expect(sorted(points(m))).toEqual(sorted(points(a)));
      }),
    );
  });

  it('intersect', () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const out = intersect(a, b);
        expectNormal(out, true);
        const pb = points(b);
        expect(sorted(points(out))).toEqual(sorted(points(a)).filter((p) => pb.has(p)));
      }),
    );
  });

  it('subtract', () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const out = subtract(a, b);
        expectNormal(out, true);
        const pb = points(b);
        expect(sorted(points(out))).toEqual(sorted(points(a)).filter((p) => !pb.has(p)));
      }),
    );
  });

  it('overlaps and contains', () => {
    fc.assert(
      fc.property(rangeArb, rangeArb, (a, b) => {
        const pa = points([a]);
        const pb = points([b]);
        expect(overlaps(a, b)).toBe([...pa].some((p) => pb.has(p)));
        expect(contains(a, b)).toBe(pb.size > 0 && [...pb].every((p) => pa.has(p)));
      }),
    );
  });
});

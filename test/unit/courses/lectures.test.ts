import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  lectureDurationSeconds,
  lectureRangeProblems,
  mergeProgress,
  positionsOf,
  reorderProblems,
  type LectureProgressState,
} from '../../../src/domain/courses/lectures';

const fields = (problems: { field: string }[]) => problems.map((p) => p.field);
const range = (startSeconds: number | null, endSeconds: number | null, videoDurationSeconds = 60.4) => ({
  startSeconds,
  endSeconds,
  videoDurationSeconds,
});

describe('lecture ranges', () => {
  it.each([
    [null, null, 61],
    [0, 60, 60],
    [10, 20, 10],
    [59, null, 2],
    [null, 61, 61],
    [30, 61, 31],
  ])('start %s end %s of a 60.4 s video is fine and lasts %s s', (start, end, duration) => {
    expect(lectureRangeProblems(range(start, end))).toEqual([]);
    expect(lectureDurationSeconds(range(start, end))).toBe(duration);
  });

  it.each([
    [-1, null, ['startSeconds']],
    [61, null, ['startSeconds']],
    [1.5, null, ['startSeconds']],
    [null, 0, ['endSeconds']],
    [null, 62, ['endSeconds']],
    [20, 10, ['endSeconds']],
    [20, 20, ['endSeconds']],
    [-5, 99, ['startSeconds', 'endSeconds']],
    [Number.MAX_SAFE_INTEGER * 4, null, ['startSeconds']],
  ])('start %s end %s is refused on %j', (start, end, expected) =>
    expect(fields(lectureRangeProblems(range(start, end)))).toEqual(expected),
  );

  it('an accepted range always lies inside the video with end after start, and lasts at least a second', () =>
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -10, max: 200 }), { nil: null }),
        fc.option(fc.integer({ min: -10, max: 200 }), { nil: null }),
        fc.double({ min: 0.5, max: 150, noNaN: true }),
        (start, end, duration) => {
          const r = range(start, end, duration);
          if (lectureRangeProblems(r).length > 0) return;
          const s = start ?? 0;
          const e = end ?? duration;
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThan(duration);
          expect(e).toBeGreaterThan(s);
          expect(e).toBeLessThanOrEqual(Math.ceil(duration));
          expect(lectureDurationSeconds(r)).toBeGreaterThanOrEqual(1);
          expect(lectureDurationSeconds(r)).toBeLessThanOrEqual(Math.ceil(duration));
        },
      ),
    ));
});

describe('lecture order', () => {
  const ids = ['a', 'b', 'c'];

  it('accepts any permutation and numbers it 1..n', () =>
    fc.assert(
      fc.property(fc.shuffledSubarray(ids, { minLength: 3, maxLength: 3 }), (order) => {
        expect(reorderProblems(ids, order)).toEqual([]);
        expect(positionsOf(order).map((p) => p.position)).toEqual([1, 2, 3]);
        expect(positionsOf(order).map((p) => p.id)).toEqual(order);
      }),
    ));

  it('refuses strangers, repeats and missing lectures, naming the entry', () => {
    expect(reorderProblems(ids, ['a', 'b', 'x'])).toEqual([
      { field: 'lectureIds.2', reason: 'is not a lecture of this course' },
    ]);
    expect(reorderProblems(ids, ['a', 'b', 'b'])).toEqual([
      { field: 'lectureIds.2', reason: 'appears more than once' },
    ]);
    expect(fields(reorderProblems(ids, ['a', 'b']))).toEqual(['lectureIds']);
  });
});

describe('lecture progress', () => {
  const report = fc.record({ positionSeconds: fc.integer({ min: 0, max: 120 }), completed: fc.boolean() });
  const fold = (reports: LectureProgressState[]) =>
    reports.reduce<LectureProgressState | undefined>((prev, r) => mergeProgress(prev, r, 100), undefined);

  it('never moves back, and completes at the end', () => {
    const p = mergeProgress(
      { positionSeconds: 50, completed: false },
      { positionSeconds: 10, completed: false },
      100,
    );
    expect(p).toEqual({ positionSeconds: 50, completed: false });
    expect(mergeProgress(p, { positionSeconds: 100, completed: false }, 100).completed).toBe(true);
    expect(
      mergeProgress({ positionSeconds: 5, completed: true }, { positionSeconds: 1, completed: false }, 100),
    ).toEqual({
      positionSeconds: 5,
      completed: true,
    });
  });

  it('any order and any repetition of the same reports ends in the same state', () =>
    fc.assert(
      fc.property(
        fc.array(report, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0 }),
        (reports, seed) => {
          const shuffled = [...reports, ...reports.slice(0, seed % reports.length)].sort(
            (a, b) => ((a.positionSeconds * 31 + seed) % 7) - ((b.positionSeconds * 31 + seed) % 7),
          );
          expect(fold(shuffled)).toEqual(fold(reports));
        },
      ),
    ));
});

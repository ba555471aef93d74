import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCompletedParts,
  checkDeclaredFile,
  declaredContainer,
  formatBytes,
  GiB,
  MAX_VIDEO_BYTES,
  MiB,
  missingParts,
  normaliseEtag,
  partRange,
  planParts,
  S3_MAX_PARTS,
  S3_MIN_PART_BYTES,
  summariseNumbers,
} from '../../../src/domain/videos/upload';

describe('planParts', () => {
  it('cuts a 2 GB file into 8 MiB parts, well inside S3 limits', () => {
    expect(planParts(2 * GiB)).toEqual({ partSize: 8 * MiB, partCount: 256 });
    expect(planParts(2_000_000_000)).toEqual({ partSize: 8 * MiB, partCount: 239 });
  });

  it('uses one part for a small file', () => {
    expect(planParts(1)).toEqual({ partSize: 8 * MiB, partCount: 1 });
    expect(planParts(8 * MiB)).toEqual({ partSize: 8 * MiB, partCount: 1 });
    expect(planParts(8 * MiB + 1)).toEqual({ partSize: 8 * MiB, partCount: 2 });
  });

  it('grows the part size (whole MiB) when 8 MiB parts would exceed 10,000 parts', () => {
    const plan = planParts(100 * GiB);
    expect(plan.partSize % MiB).toBe(0);
    expect(plan.partCount).toBeLessThanOrEqual(S3_MAX_PARTS);
    expect(plan.partSize).toBe(11 * MiB);
  });

  it('always fits S3: ≤ 10,000 parts, every part but the last ≥ 5 MiB, parts cover the file exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 * 1024 * GiB }), (size) => {
        const plan = planParts(size);
        expect(plan.partCount).toBeLessThanOrEqual(S3_MAX_PARTS);
        expect(plan.partSize).toBeGreaterThanOrEqual(S3_MIN_PART_BYTES);
        const last = partRange(plan, size, plan.partCount);
        expect(last.end).toBe(size);
        expect(last.end - last.start).toBeGreaterThan(0);
        expect(last.end - last.start).toBeLessThanOrEqual(plan.partSize);
      }),
    );
  });

  it('refuses sizes that are not positive integers and preferred sizes under 5 MiB', () => {
    expect(() => planParts(0)).toThrow(RangeError);
    expect(() => planParts(-5)).toThrow(RangeError);
    expect(() => planParts(1.5)).toThrow(RangeError);
    expect(() => planParts(100, 4 * MiB)).toThrow(RangeError);
  });

  it('gives each part its byte range', () => {
    const plan = planParts(20 * MiB);
    expect(plan.partCount).toBe(3);
    expect(partRange(plan, 20 * MiB, 1)).toEqual({ start: 0, end: 8 * MiB });
    expect(partRange(plan, 20 * MiB, 3)).toEqual({ start: 16 * MiB, end: 20 * MiB });
    expect(() => partRange(plan, 20 * MiB, 4)).toThrow(RangeError);
  });
});

describe('resumable uploads', () => {
  it('lists the parts still missing', () => {
    expect(missingParts(5, [1, 3])).toEqual([2, 4, 5]);
    expect(missingParts(3, [1, 2, 3])).toEqual([]);
  });

  it('summarises part numbers as runs', () => {
    expect(summariseNumbers([10, 1, 2, 3, 7, 9])).toBe('1-3, 7, 9-10');
  });
});

describe('checkCompletedParts', () => {
  it('sorts parts and quotes ETags the way S3 wants them', () => {
    const result = checkCompletedParts(
      [
        { partNumber: 2, etag: 'bbb' },
        { partNumber: 1, etag: '"aaa"' },
      ],
      2,
    );
    expect(result).toEqual({
      ok: true,
      parts: [
        { partNumber: 1, etag: '"aaa"' },
        { partNumber: 2, etag: '"bbb"' },
      ],
    });
  });

  it('names duplicates, out-of-range numbers, empty ETags and missing parts', () => {
    const result = checkCompletedParts(
      [
        { partNumber: 1, etag: 'a' },
        { partNumber: 1, etag: 'a' },
        { partNumber: 9, etag: '' },
      ],
      4,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { field: 'parts.1.part_number', reason: 'part 1 is listed twice' },
      { field: 'parts.2.part_number', reason: 'must be between 1 and 4' },
      { field: 'parts.2.etag', reason: 'must be the ETag S3 returned for the part' },
      { field: 'parts', reason: 'missing parts 2-4 of 4' },
    ]);
  });

  it('normalises ETags with quotes and weak prefixes', () => {
    expect(normaliseEtag(' "abc" ')).toBe('abc');
    expect(normaliseEtag('W/"abc"')).toBe('abc');
  });
});

describe('declared files', () => {
  it('accepts MP4, M4V and MOV by name and type', () => {
    expect(checkDeclaredFile({ filename: 'nets.MP4', contentType: 'video/mp4', sizeBytes: 10 })).toEqual([]);
    expect(
      checkDeclaredFile({ filename: 'nets.mov', contentType: 'video/quicktime', sizeBytes: 10 }),
    ).toEqual([]);
    expect(declaredContainer('a.MOV')).toBe('mov');
    expect(declaredContainer('a.m4v')).toBe('mp4');
  });

  it('names each wrong field', () => {
    expect(
      checkDeclaredFile({ filename: 'notes.txt', contentType: 'text/plain', sizeBytes: 0 }).map(
        (p) => p.field,
      ),
    ).toEqual(['filename', 'content_type', 'size_bytes']);
  });

  it('states the 2 GB limit in bytes a computer would also call 2 GB', () => {
    expect(MAX_VIDEO_BYTES).toBe(2_147_483_648);
  });

  it('formats sizes for people', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(500_000_000_000)).toBe('500 GB');
  });
});

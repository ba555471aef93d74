/**
 * Direct-to-S3 multipart uploads: which files we accept, how a file is cut into parts, and whether a
 * client's "these parts are done" list can complete the upload. Pure: no I/O, no clock.
 *
 * S3's limits (also MinIO's): at most 10,000 parts; every part but the last 5 MiB – 5 GiB.
 */

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/**
 * Seed 001 section D: "MP4/MOV, up to 2GB per session". A coach's operating system may call a file of
 * 2,147,483,648 bytes "2 GB" (binary units), so the limit is 2 GiB: nobody is refused a file their
 * computer says is 2 GB.
 */
export const MAX_VIDEO_BYTES = 2 * GiB;

export const S3_MAX_PARTS = 10_000;
export const S3_MIN_PART_BYTES = 5 * MiB;
export const S3_MAX_PART_BYTES = 5 * GiB;

/** 8 MiB parts: a 2 GiB file is 256 parts, small enough to retry cheaply on a phone connection. */
export const PREFERRED_PART_BYTES = 8 * MiB;

export interface PartPlan {
  partSize: number;
  partCount: number;
}

/**
 * The part size for a file of `totalBytes`: the preferred size unless that would need more than
 * 10,000 parts, in which case the smallest whole number of MiB that fits. Always ≥ 5 MiB, so every
 * part but the last satisfies S3's minimum; a file smaller than one part is a single part.
 */
export function planParts(totalBytes: number, preferred = PREFERRED_PART_BYTES): PartPlan {
  if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0)
    throw new RangeError(`file size must be a positive integer, got ${totalBytes}`);
  if (!Number.isSafeInteger(preferred) || preferred < S3_MIN_PART_BYTES) {
    throw new RangeError(`preferred part size must be at least ${S3_MIN_PART_BYTES} bytes, got ${preferred}`);
  }
  const minimumForCount = Math.ceil(totalBytes / S3_MAX_PARTS);
  const partSize = Math.max(preferred, Math.ceil(minimumForCount / MiB) * MiB);
  if (partSize > S3_MAX_PART_BYTES)
    throw new RangeError(`a ${totalBytes}-byte file cannot be uploaded in ${S3_MAX_PARTS} parts`);
  return { partSize, partCount: Math.ceil(totalBytes / partSize) };
}

/** Byte range [start, end) of a 1-based part. */
export function partRange(
  plan: PartPlan,
  totalBytes: number,
  partNumber: number,
): { start: number; end: number } {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw new RangeError(`part number must be 1..${plan.partCount}, got ${partNumber}`);
  }
  const start = (partNumber - 1) * plan.partSize;
  return { start, end: Math.min(start + plan.partSize, totalBytes) };
}

/** Part numbers 1..partCount not in `uploaded`, ascending. */
export function missingParts(partCount: number, uploaded: Iterable<number>): number[] {
  const have = new Set(uploaded);
  const missing: number[] = [];
  for (let n = 1; n <= partCount; n++) if (!have.has(n)) missing.push(n);
  return missing;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export interface PartProblem {
  field: string;
  reason: string;
}

/**
 * Checks a client's completion list before S3 sees it: every part 1..partCount exactly once, each with
 * an ETag. Returns the parts sorted (S3 requires ascending order) or the problems, naming each field.
 */
export function checkCompletedParts(
  parts: readonly CompletedPart[],
  partCount: number,
): { ok: true; parts: CompletedPart[] } | { ok: false; problems: PartProblem[] } {
  const problems: PartProblem[] = [];
  const seen = new Set<number>();
  parts.forEach((p, i) => {
    if (!Number.isInteger(p.partNumber) || p.partNumber < 1 || p.partNumber > partCount) {
      problems.push({ field: `parts.${i}.part_number`, reason: `must be between 1 and ${partCount}` });
    } else if (seen.has(p.partNumber)) {
      problems.push({ field: `parts.${i}.part_number`, reason: `part ${p.partNumber} is listed twice` });
    }
    seen.add(p.partNumber);
    if (normaliseEtag(p.etag) === '')
      problems.push({ field: `parts.${i}.etag`, reason: 'must be the ETag S3 returned for the part' });
  });
  const missing = missingParts(partCount, seen);
  if (missing.length > 0) {
    problems.push({
      field: 'parts',
      reason: `missing part${missing.length > 1 ? 's' : ''} ${summariseNumbers(missing)} of ${partCount}`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    parts: [...parts]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map((p) => ({ partNumber: p.partNumber, etag: `"${normaliseEtag(p.etag)}"` })),
  };
}

/** ETags arrive with or without their quotes (browsers often strip them); S3 compares the inner value. */
export function normaliseEtag(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"+|"+$/g, '');
}

/** "1-3, 7, 9-10" for [1,2,3,7,9,10]. */
export function summariseNumbers(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return runs.join(', ');
}

// --- Accepted files -------------------------------------------------------------------------------------

export const VIDEO_CONTENT_TYPES = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/x-m4v': 'mp4',
} as const;
export type VideoContentType = keyof typeof VIDEO_CONTENT_TYPES;

const EXTENSIONS: Record<string, 'mp4' | 'mov'> = { mp4: 'mp4', m4v: 'mp4', mov: 'mov', qt: 'mov' };

export function isVideoContentType(value: string): value is VideoContentType {
  return Object.hasOwn(VIDEO_CONTENT_TYPES, value.toLowerCase());
}

/**
 * What the client says it is sending, checked before anything is reserved. The bytes themselves are
 * checked again after the upload (magic bytes + ffprobe): a name and a type prove nothing.
 */
export function checkDeclaredFile(input: {
  filename: string;
  contentType: string;
  sizeBytes: number;
}): PartProblem[] {
  const problems: PartProblem[] = [];
  const ext = /\.([A-Za-z0-9]+)$/.exec(input.filename.trim())?.[1]?.toLowerCase();
  if (!ext || !EXTENSIONS[ext])
    problems.push({ field: 'filename', reason: 'must end in .mp4, .m4v or .mov (MP4 or QuickTime video)' });
  if (!isVideoContentType(input.contentType)) {
    problems.push({
      field: 'content_type',
      reason: `must be one of ${Object.keys(VIDEO_CONTENT_TYPES).join(', ')}`,
    });
  }
  if (!Number.isSafeInteger(input.sizeBytes) || input.sizeBytes <= 0)
    problems.push({ field: 'size_bytes', reason: 'must be a positive whole number of bytes' });
  return problems;
}

/** The container the filename promises, used for the stored object's extension. */
export function declaredContainer(filename: string): 'mp4' | 'mov' {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename.trim())?.[1]?.toLowerCase() ?? '';
  return EXTENSIONS[ext] ?? 'mp4';
}

/** Human-readable byte counts for messages a coach reads: 1.5 GB, 320 MB, 12 KB (decimal units). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} bytes`;
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}

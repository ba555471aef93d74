/**
 * The video lifecycle as data: statuses, pipeline stages with their share of the progress bar, and
 * what each kind of failure means for the upload (kept for a retry, or deleted with its storage given
 * back). PeerTube's worst bugs were videos stuck "processing" with no failed state and no way to
 * re-queue; here every failure ends in `failed` with a kind and a reason, and the kind says whether
 * `retry` can help. Pure.
 */

export const VIDEO_STATUSES = ['pending', 'uploaded', 'processing', 'ready', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

export const STAGES = [
  'awaiting_upload',
  'queued',
  'validating',
  'probing',
  'transcoding',
  'analysing',
  'finishing',
  'ready',
  'failed',
  'deleting',
] as const;
export type Stage = (typeof STAGES)[number];

/** Where each working stage starts and ends on a 0–100 bar (transcoding dominates the wall time). */
const STAGE_SPAN: Partial<Record<Stage, [number, number]>> = {
  queued: [0, 0],
  validating: [0, 3],
  probing: [3, 5],
  transcoding: [5, 85],
  analysing: [85, 97],
  finishing: [97, 100],
  ready: [100, 100],
};

/** Overall percent from the stage and how far into it we are (0–100). */
export function overallPercent(stage: Stage, stagePercent = 0): number {
  const span = STAGE_SPAN[stage];
  if (!span) return 0;
  const p = Math.max(0, Math.min(100, Number.isFinite(stagePercent) ? stagePercent : 0));
  return Math.round(span[0] + ((span[1] - span[0]) * p) / 100);
}

export const FAILURE_KINDS = [
  /** Not a video we can read: wrong type, damaged, truncated, no picture. */
  'invalid_media',
  /** Bigger than the 2 GB limit once the real size is known. */
  'too_large',
  /** The real size does not fit the storage quota. */
  'over_quota',
  /** The coach's plan lost video uploads between upload and processing. */
  'plan_required',
  /** Parts never completed within the upload timeout. */
  'upload_abandoned',
  /** The client (or the API on the client's behalf) cancelled the upload. */
  'upload_cancelled',
  /** Our side failed after every retry (ffmpeg crashed, storage unreachable, …). */
  'processing_error',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface FailurePolicy {
  /** Delete the uploaded source (and give its storage back): there is nothing worth keeping. */
  discardUpload: boolean;
  /** POST …/retry can re-run the pipeline on the kept upload. */
  retryable: boolean;
}

export function failurePolicy(kind: FailureKind): FailurePolicy {
  switch (kind) {
    case 'invalid_media':
    case 'too_large':
    case 'over_quota':
    case 'upload_abandoned':
    case 'upload_cancelled':
      return { discardUpload: true, retryable: false };
    case 'plan_required':
    case 'processing_error':
      return { discardUpload: false, retryable: true };
  }
}

/** What to tell a coach who asks for a retry that cannot help. */
export function notRetryableMessage(kind: FailureKind): string {
  switch (kind) {
    case 'invalid_media':
      return 'This upload was not a usable video and has been removed; upload the file again (as MP4 or MOV).';
    case 'too_large':
      return 'This upload was over the 2 GB limit and has been removed; trim or compress the video and upload it again.';
    case 'over_quota':
      return 'This upload did not fit your storage quota and has been removed; free up space or upgrade, then upload it again.';
    case 'upload_abandoned':
      return 'This upload never finished and has been removed; start a new upload.';
    case 'upload_cancelled':
      return 'This upload was cancelled; start a new upload.';
    default:
      return 'This video cannot be retried.';
  }
}

/** Storage bytes to take (positive) or give back (negative) once the real size of an upload is known. */
export function reservationDelta(reservedBytes: number, actualBytes: number): number {
  return actualBytes - reservedBytes;
}

/**
 * ApplicationFailure types thrown by the pipeline's activities for errors that retrying cannot fix,
 * and the failure kind each one means. Listed in the workflow's nonRetryableErrorTypes.
 */
export const NON_RETRYABLE_TYPES = {
  InvalidMedia: 'invalid_media',
  TooLarge: 'too_large',
  OverQuota: 'over_quota',
  PlanRequired: 'plan_required',
} as const satisfies Record<string, FailureKind>;
export type NonRetryableType = keyof typeof NON_RETRYABLE_TYPES;

export function failureKindOf(type: string | undefined | null): FailureKind {
  return type && Object.hasOwn(NON_RETRYABLE_TYPES, type)
    ? NON_RETRYABLE_TYPES[type as NonRetryableType]
    : 'processing_error';
}

/** The reason a coach reads when our side failed after every retry. */
export function processingErrorReason(stage: Stage, detail: string): string {
  const what: Partial<Record<Stage, string>> = {
    validating: 'checking the upload',
    probing: 'reading the video',
    transcoding: 'converting the video for playback',
    analysing: 'analysing the video',
    finishing: 'finishing',
  };
  const short = detail.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `Something went wrong on our side while ${what[stage] ?? 'processing the video'}${short ? ` (${short})` : ''}. Your upload is kept: use Retry, and contact support if it fails again.`;
}

/** Signal name media activities use to report percent done to the video workflow. */
export const VIDEO_PROGRESS_SIGNAL = 'videoProgress';

/** Attempts for the analysis step; the activity falls back to the signals-only report on the last. */
export const ANALYSIS_ATTEMPTS = 3;

/** "24 hours", "90 seconds": how long an upload may take, for messages. */
export function humanDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  const seconds = Math.max(1, Math.round(ms / 1000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

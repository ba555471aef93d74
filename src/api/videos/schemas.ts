import { z } from '@hono/zod-openapi';
import {
  failurePolicy,
  overallPercent,
  STAGES,
  VIDEO_STATUSES,
  type FailureKind,
  type Stage,
} from '../../domain/video/status';
import type { StoredRendition } from '../../data/videos';

// Request and response shapes of the video API. Field names follow seed 000's session shape
// (snake_case: player_ids, created_at) across the whole video family, so a client sees one style.

export const VideoStatusSchema = z.enum(VIDEO_STATUSES).openapi('VideoStatus');
const Uuids = (max: number) => z.array(z.uuid()).max(max);
const isoDate = z.iso.date().describe('YYYY-MM-DD (UTC)');

// --- Sessions ------------------------------------------------------------------------------------------------

export const SessionCreateBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    player_ids: Uuids(50)
      .default([])
      .describe('Active players on your roster this session is about; they may watch its videos.'),
    notes: z.string().max(5000).nullable().optional(),
  })
  .strict()
  .openapi('VideoSessionCreate');

export const SessionUpdateBody = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    player_ids: Uuids(50).optional(),
    notes: z.string().max(5000).nullable().optional(),
  })
  .strict()
  .openapi('VideoSessionUpdate');

export const SessionSchema = z
  .object({
    id: z.uuid(),
    coach_id: z.uuid(),
    title: z.string(),
    player_ids: z.array(z.uuid()),
    status: VideoStatusSchema,
    notes: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('VideoSession');

export const SessionListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  player_id: z.uuid().optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

export function sessionView(s: {
  id: string;
  coachId: string;
  title: string;
  playerIds: string[];
  status: (typeof VIDEO_STATUSES)[number];
  notes: string | null;
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    id: s.id,
    coach_id: s.coachId,
    title: s.title,
    player_ids: s.playerIds,
    status: s.status,
    notes: s.notes,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

/** [from, to] dates as a created_at range (to is inclusive). */
export function dateRange(from?: string, to?: string): { gte?: Date; lt?: Date } | undefined {
  if (!from && !to) return undefined;
  return {
    ...(from ? { gte: new Date(`${from}T00:00:00.000Z`) } : {}),
    ...(to ? { lt: new Date(new Date(`${to}T00:00:00.000Z`).getTime() + 86_400_000) } : {}),
  };
}

// --- Videos --------------------------------------------------------------------------------------------------

export const UploadBody = z
  .object({
    filename: z.string().trim().min(1).max(255),
    content_type: z.string().trim().min(1).max(100).describe('video/mp4 or video/quicktime'),
    size_bytes: z.number().int().positive().describe('Exact size of the file; at most 2 GiB.'),
  })
  .strict()
  .openapi('VideoUploadStart');

export const CompleteBody = z
  .object({
    parts: z
      .array(
        z
          .object({ part_number: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(200) })
          .strict(),
      )
      .min(1)
      .max(10_000)
      .describe('Every part with the ETag header S3 returned for its PUT.'),
  })
  .strict()
  .openapi('VideoUploadComplete');

export const SharesBody = z
  .object({ player_ids: Uuids(100) })
  .strict()
  .openapi('Shares');

const PartUrl = z
  .object({ part_number: z.number().int(), size: z.number().int(), url: z.string() })
  .openapi('UploadPartUrl');

const Progress = z.object({ stage: z.enum(STAGES), percent: z.number().int() }).openapi('VideoProgress');

const Rendition = z.object({
  label: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
});

export const PlaybackSchema = z
  .object({
    expires_at: z.string(),
    renditions: z.array(
      z.object({ label: z.string(), width: z.number().int(), height: z.number().int(), url: z.string() }),
    ),
    poster_url: z.string().nullable(),
    analysis_url: z.string().nullable(),
    frames: z.array(z.object({ at_seconds: z.number(), url: z.string() })),
  })
  .openapi('VideoPlayback');

export const VideoSchema = z
  .object({
    id: z.uuid(),
    session_id: z.uuid(),
    coach_id: z.uuid(),
    filename: z.string(),
    content_type: z.string(),
    size_bytes: z.number().int().nullable(),
    status: VideoStatusSchema,
    progress: Progress,
    failure: z.object({ kind: z.string(), reason: z.string(), retryable: z.boolean() }).nullable(),
    duration_seconds: z.number().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    renditions: z.array(Rendition),
    analysis: z.object({
      status: z.enum(['pending', 'running', 'done', 'skipped', 'failed']),
      source: z.enum(['ai', 'signals']).nullable(),
      reason: z.string().nullable(),
      summary: z.string().nullable(),
    }),
    shared_player_ids: z.array(z.uuid()),
    upload_expires_at: z.string(),
    created_at: z.string(),
    uploaded_at: z.string().nullable(),
    ready_at: z.string().nullable(),
    playback: PlaybackSchema.nullable().optional(),
  })
  .openapi('Video');

export const UploadSchema = z
  .object({
    part_size: z.number().int(),
    part_count: z.number().int(),
    expires_at: z.string().describe('The upload is aborted if not completed by then.'),
    urls_expire_at: z.string().describe('Part URLs stop working then; ask GET …/upload for fresh ones.'),
    uploaded: z.array(z.object({ part_number: z.number().int(), etag: z.string(), size: z.number().int() })),
    parts: z.array(PartUrl).describe('Presigned PUT URLs for the parts still to upload.'),
  })
  .openapi('VideoUpload');

export type VideoRow = {
  id: string;
  sessionId: string;
  coachId: string;
  filename: string;
  contentType: string;
  sizeBytes: bigint | null;
  declaredBytes: bigint;
  status: (typeof VIDEO_STATUSES)[number];
  stage: string;
  failureKind: string | null;
  failureReason: string | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  renditions: unknown;
  analysisStatus: 'pending' | 'running' | 'done' | 'skipped' | 'failed';
  analysisReason: string | null;
  analysis: unknown;
  sharedPlayerIds: string[];
  uploadExpiresAt: Date;
  createdAt: Date;
  uploadedAt: Date | null;
  readyAt: Date | null;
};

export function videoView(
  v: VideoRow,
  progress?: { stage: Stage; percent: number },
  playback?: z.infer<typeof PlaybackSchema> | null,
) {
  const stage = (STAGES as readonly string[]).includes(v.stage) ? (v.stage as Stage) : 'queued';
  const report = v.analysis as { source?: 'ai' | 'signals'; summary?: string } | null;
  return {
    id: v.id,
    session_id: v.sessionId,
    coach_id: v.coachId,
    filename: v.filename,
    content_type: v.contentType,
    size_bytes: v.sizeBytes === null ? null : Number(v.sizeBytes),
    status: v.status,
    progress: progress ?? { stage, percent: v.status === 'ready' ? 100 : overallPercent(stage) },
    failure:
      v.status === 'failed' && v.failureKind
        ? {
            kind: v.failureKind,
            reason: v.failureReason ?? '',
            retryable: failurePolicy(v.failureKind as FailureKind)?.retryable ?? false,
          }
        : null,
    duration_seconds: v.durationSeconds,
    width: v.width,
    height: v.height,
    renditions: (v.renditions as StoredRendition[]).map((r) => ({
      label: r.label,
      width: r.width,
      height: r.height,
      bytes: r.bytes,
    })),
    analysis: {
      status: v.analysisStatus,
      source: report?.source ?? null,
      reason: v.analysisReason,
      summary: report?.summary ?? null,
    },
    shared_player_ids: v.sharedPlayerIds,
    upload_expires_at: v.uploadExpiresAt.toISOString(),
    created_at: v.createdAt.toISOString(),
    uploaded_at: v.uploadedAt?.toISOString() ?? null,
    ready_at: v.readyAt?.toISOString() ?? null,
    ...(playback !== undefined ? { playback } : {}),
  };
}

// --- Annotations ---------------------------------------------------------------------------------------------

const Point = z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }).strict();
const style = {
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#ff3b30'),
  width: z.number().min(1).max(20).default(3),
};

/** Drawing shapes in coordinates normalised to the picture (0..1), so they fit every rendition. */
export const ShapeSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('line'), from: Point, to: Point, ...style }).strict(),
    z.object({ type: z.literal('arrow'), from: Point, to: Point, ...style }).strict(),
    z.object({ type: z.literal('rect'), from: Point, to: Point, ...style }).strict(),
    z
      .object({ type: z.literal('circle'), center: Point, radius: z.number().min(0).max(1), ...style })
      .strict(),
    z.object({ type: z.literal('freehand'), points: z.array(Point).min(2).max(500), ...style }).strict(),
    z.object({ type: z.literal('angle'), a: Point, vertex: Point, b: Point, ...style }).strict(),
    z.object({ type: z.literal('text'), at: Point, text: z.string().min(1).max(200), ...style }).strict(),
  ])
  .openapi('Shape');

export const ANNOTATION_KINDS = ['note', 'marker', 'drawing'] as const;

export const AnnotationBody = z
  .object({
    kind: z.enum(ANNOTATION_KINDS),
    at_seconds: z.number().min(0),
    end_seconds: z.number().min(0).nullable().optional(),
    text: z.string().trim().max(2000).nullable().optional(),
    shapes: z.array(ShapeSchema).max(200).nullable().optional(),
  })
  .strict()
  .openapi('AnnotationCreate');

export const AnnotationPatch = z
  .object({
    at_seconds: z.number().min(0).optional(),
    end_seconds: z.number().min(0).nullable().optional(),
    text: z.string().trim().max(2000).nullable().optional(),
    shapes: z.array(ShapeSchema).max(200).nullable().optional(),
  })
  .strict()
  .openapi('AnnotationUpdate');

export const AnnotationSchema = z
  .object({
    id: z.uuid(),
    video_id: z.uuid(),
    author_id: z.uuid(),
    kind: z.enum(ANNOTATION_KINDS),
    at_seconds: z.number(),
    end_seconds: z.number().nullable(),
    text: z.string().nullable(),
    shapes: z.array(z.any()).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Annotation');

/** What each kind needs: a note has text, a drawing has shapes; the range lies inside the video. */
export function annotationProblems(
  a: {
    kind: string;
    at_seconds: number;
    end_seconds?: number | null;
    text?: string | null;
    shapes?: unknown[] | null;
  },
  durationSeconds: number,
) {
  const problems: { field: string; reason: string }[] = [];
  if (a.at_seconds > durationSeconds)
    problems.push({
      field: 'at_seconds',
      reason: `must be within the video (${durationSeconds.toFixed(2)} s)`,
    });
  if (a.end_seconds != null && (a.end_seconds < a.at_seconds || a.end_seconds > durationSeconds + 0.05)) {
    problems.push({ field: 'end_seconds', reason: 'must be between at_seconds and the end of the video' });
  }
  if (a.kind === 'note' && !a.text) problems.push({ field: 'text', reason: 'a note needs text' });
  if (a.kind === 'drawing' && !(a.shapes && a.shapes.length > 0))
    problems.push({ field: 'shapes', reason: 'a drawing needs at least one shape' });
  if (a.kind !== 'drawing' && a.shapes && a.shapes.length > 0)
    problems.push({ field: 'shapes', reason: 'only drawings have shapes' });
  return problems;
}

export function annotationView(a: {
  id: string;
  videoId: string;
  authorId: string;
  kind: (typeof ANNOTATION_KINDS)[number];
  atSeconds: number;
  endSeconds: number | null;
  text: string | null;
  shapes: unknown;
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    id: a.id,
    video_id: a.videoId,
    author_id: a.authorId,
    kind: a.kind,
    at_seconds: a.atSeconds,
    end_seconds: a.endSeconds,
    text: a.text,
    shapes: (a.shapes as unknown[] | null) ?? null,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

// --- Clips ------------------------------------------------------------------------------------------------------

export const MOMENT_TYPES = ['key_moment', 'dismissal', 'form_issue', 'highlight'] as const;

export const ClipBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    start_seconds: z.number().min(0),
    end_seconds: z.number().positive(),
    moment_type: z.enum(MOMENT_TYPES).default('key_moment'),
    player_ids: Uuids(50).default([]).describe('Players the clip is about; they can watch it.'),
  })
  .strict()
  .openapi('ClipCreate');

export const ClipListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  player_id: z.uuid().optional(),
  video_id: z.uuid().optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

export const ClipSchema = z
  .object({
    id: z.uuid(),
    video_id: z.uuid(),
    session_id: z.uuid(),
    coach_id: z.uuid(),
    title: z.string(),
    moment_type: z.enum(MOMENT_TYPES),
    start_seconds: z.number(),
    end_seconds: z.number(),
    player_ids: z.array(z.uuid()),
    status: z.enum(['pending', 'processing', 'ready', 'failed']),
    failure_reason: z.string().nullable(),
    trim_mode: z.enum(['copy', 'reencode']).nullable(),
    duration_seconds: z.number().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    size_bytes: z.number().int().nullable(),
    date: z.string().describe('Library date (YYYY-MM-DD, UTC)'),
    created_at: z.string(),
    ready_at: z.string().nullable(),
    playback: z
      .object({ expires_at: z.string(), url: z.string(), poster_url: z.string().nullable() })
      .nullable()
      .optional(),
  })
  .openapi('Clip');

export function clipView(
  c: {
    id: string;
    videoId: string;
    sessionId: string;
    coachId: string;
    title: string;
    momentType: (typeof MOMENT_TYPES)[number];
    startSeconds: number;
    endSeconds: number;
    playerIds: string[];
    status: 'pending' | 'processing' | 'ready' | 'failed';
    failureReason: string | null;
    trimMode: string | null;
    durationSeconds: number | null;
    width: number | null;
    height: number | null;
    sizeBytes: bigint | null;
    createdAt: Date;
    readyAt: Date | null;
  },
  playback?: { expires_at: string; url: string; poster_url: string | null } | null,
): z.infer<typeof ClipSchema> {
  return {
    id: c.id,
    video_id: c.videoId,
    session_id: c.sessionId,
    coach_id: c.coachId,
    title: c.title,
    moment_type: c.momentType,
    start_seconds: c.startSeconds,
    end_seconds: c.endSeconds,
    player_ids: c.playerIds,
    status: c.status,
    failure_reason: c.failureReason,
    trim_mode: c.trimMode === 'copy' || c.trimMode === 'reencode' ? c.trimMode : null,
    duration_seconds: c.durationSeconds,
    width: c.width,
    height: c.height,
    size_bytes: c.sizeBytes === null ? null : Number(c.sizeBytes),
    date: c.createdAt.toISOString().slice(0, 10),
    created_at: c.createdAt.toISOString(),
    ready_at: c.readyAt?.toISOString() ?? null,
    ...(playback !== undefined ? { playback } : {}),
  };
}

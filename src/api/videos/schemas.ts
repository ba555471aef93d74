import { z } from '@hono/zod-openapi';
import { ANNOTATION_KINDS } from '../../domain/videos/annotations';
import { STAGES, VIDEO_STATUSES } from '../../domain/videos/status';
import { STORABLE_YEARS_MESSAGE, pagination, withinStorableYears } from '../openapi';

// Request and response shapes of the video API. Field names follow seed 000's session shape
// (snake_case: player_ids, created_at) across the whole video family, so a client sees one style.
// The `.openapi('…')` names are the public component names: they stay as they are.

export const VideoStatusSchema = z.enum(VIDEO_STATUSES).openapi('VideoStatus');
const Uuids = (max: number) => z.array(z.uuid()).max(max);
const isoDate = z.iso.date().refine(withinStorableYears, STORABLE_YEARS_MESSAGE).describe('YYYY-MM-DD (UTC)');
/** Library days, inclusive, by creation date. */
const days = { from: isoDate.optional(), to: isoDate.optional() };

// --- Path parameters -----------------------------------------------------------------------------------------

export const VideoSessionParam = z.object({ id: z.uuid() });
export const VideoParam = z.object({ id: z.uuid(), videoId: z.uuid() });
export const AnnotationParam = z.object({ id: z.uuid(), videoId: z.uuid(), annotationId: z.uuid() });
export const VideoOnlyParam = z.object({ videoId: z.uuid() });
export const ClipParam = z.object({ clipId: z.uuid() });
export const PlayerParam = z.object({ playerId: z.uuid() });

/** A plain page request (limit, offset) for lists without filters. */
export const PageQuery = z.object(pagination);

// --- Video sessions ------------------------------------------------------------------------------------------

export const VideoSessionCreateBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    player_ids: Uuids(50)
      .default([])
      .describe('Active players on your roster this session is about; they may watch its videos.'),
    notes: z.string().max(5000).nullable().optional(),
  })
  .strict()
  .openapi('VideoSessionCreate');

export const VideoSessionUpdateBody = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    player_ids: Uuids(50).optional(),
    notes: z.string().max(5000).nullable().optional(),
  })
  .strict()
  .openapi('VideoSessionUpdate');

export const VideoSessionSchema = z
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

export const VideoSessionListQuery = z.object({ ...pagination, player_id: z.uuid().optional(), ...days });

// --- Videos and uploads --------------------------------------------------------------------------------------

export const UploadStartBody = z
  .object({
    filename: z.string().trim().min(1).max(255),
    content_type: z.string().trim().min(1).max(100).describe('video/mp4 or video/quicktime'),
    size_bytes: z.number().int().positive().describe('Exact size of the file; at most 2 GiB.'),
  })
  .strict()
  .openapi('VideoUploadStart');

export const UploadCompleteBody = z
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

export const VideoPlaybackSchema = z
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
    playback: VideoPlaybackSchema.nullable().optional(),
  })
  .openapi('Video');

export const VideoUploadSchema = z
  .object({
    part_size: z.number().int(),
    part_count: z.number().int(),
    expires_at: z.string().describe('The upload is aborted if not completed by then.'),
    urls_expire_at: z.string().describe('Part URLs stop working then; ask GET …/upload for fresh ones.'),
    uploaded: z.array(z.object({ part_number: z.number().int(), etag: z.string(), size: z.number().int() })),
    parts: z.array(PartUrl).describe('Presigned PUT URLs for the parts still to upload.'),
  })
  .openapi('VideoUpload');

export const UploadStartedSchema = z.object({ video: VideoSchema, upload: VideoUploadSchema });

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

/** What an annotation says and spans, optional both when it is written and when it is changed. */
const annotationContent = {
  end_seconds: z.number().min(0).nullable().optional(),
  text: z.string().trim().max(2000).nullable().optional(),
  shapes: z.array(ShapeSchema).max(200).nullable().optional(),
};

export const AnnotationCreateBody = z
  .object({ kind: z.enum(ANNOTATION_KINDS), at_seconds: z.number().min(0), ...annotationContent })
  .strict()
  .openapi('AnnotationCreate');

export const AnnotationUpdateBody = z
  .object({ at_seconds: z.number().min(0).optional(), ...annotationContent })
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

// --- Clips ------------------------------------------------------------------------------------------------------

export const MOMENT_TYPES = ['key_moment', 'dismissal', 'form_issue', 'highlight'] as const;

export const ClipCreateBody = z
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
  ...pagination,
  player_id: z.uuid().optional(),
  video_id: z.uuid().optional(),
  ...days,
});

export const SharedClipListQuery = z.object({ ...pagination, ...days });

export const ClipPlaybackSchema = z.object({
  expires_at: z.string(),
  url: z.string(),
  poster_url: z.string().nullable(),
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
    playback: ClipPlaybackSchema.nullable().optional(),
  })
  .openapi('Clip');

// --- What a coach shares with a player ---------------------------------------------------------------------

export const PlayerSharesSchema = z
  .object({
    player_id: z.uuid(),
    on_roster: z
      .boolean()
      .describe(
        'Whether the player is on your roster now: everything listed is watchable by them only then.',
      ),
    sessions: z.array(z.object({ id: z.uuid(), title: z.string() })).describe('Sessions naming the player'),
    videos: z
      .array(z.object({ id: z.uuid(), session_id: z.uuid(), filename: z.string() }))
      .describe('Videos shared with the player directly'),
    clips: z
      .array(z.object({ id: z.uuid(), video_id: z.uuid(), title: z.string() }))
      .describe('Clips shared with the player'),
  })
  .openapi('PlayerShares');

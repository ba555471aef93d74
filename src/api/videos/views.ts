import type { z } from '@hono/zod-openapi';
import type { AnnotationKind } from '../../domain/videos/annotations';
import {
  failurePolicy,
  overallPercent,
  STAGES,
  type FailureKind,
  type Stage,
} from '../../domain/videos/status';
import type { VideoStatus } from '../../domain/videos/status';
import type { ClipPlayback, StoredRendition, VideoDetail, VideoPlayback } from '../../app/videos/playback';
import type { PlayerShares } from '../../app/videos/shares';
import type { UploadState } from '../../app/videos/uploads';
import type { ClipSchema, MOMENT_TYPES, VideoPlaybackSchema } from './schemas';

// Rows and use-case results rendered as the video API's JSON (snake_case, ISO-8601 instants).

export function videoSessionView(s: {
  id: string;
  coachId: string;
  title: string;
  playerIds: string[];
  status: VideoStatus;
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

export type VideoRow = {
  id: string;
  sessionId: string;
  coachId: string;
  filename: string;
  contentType: string;
  sizeBytes: bigint | null;
  status: VideoStatus;
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

/**
 * A video. `progress` is the workflow's live answer when there is one (else derived from the stored
 * stage); `playback` appears only on single-video answers (null until ready).
 */
export function videoView(
  v: VideoRow,
  progress?: { stage: Stage; percent: number },
  playback?: z.infer<typeof VideoPlaybackSchema> | null,
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

function playbackView(p: VideoPlayback): z.infer<typeof VideoPlaybackSchema> {
  return {
    expires_at: p.expiresAt.toISOString(),
    renditions: p.renditions,
    poster_url: p.posterUrl,
    analysis_url: p.analysisUrl,
    frames: p.frames.map((f) => ({ at_seconds: f.atSeconds, url: f.url })),
  };
}

/** One video with its progress and playback URLs. */
export function videoDetailView(d: VideoDetail) {
  return videoView(d.video, d.progress, d.playback ? playbackView(d.playback) : null);
}

export function uploadView(u: UploadState) {
  return {
    part_size: u.partSize,
    part_count: u.partCount,
    expires_at: u.expiresAt.toISOString(),
    urls_expire_at: u.urlsExpireAt.toISOString(),
    uploaded: u.uploaded.map((p) => ({ part_number: p.partNumber, etag: p.etag, size: p.size })),
    parts: u.parts.map((p) => ({ part_number: p.partNumber, size: p.size, url: p.url })),
  };
}

export function annotationView(a: {
  id: string;
  videoId: string;
  authorId: string;
  kind: AnnotationKind;
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

/** A clip; `playback` appears only on the single-clip answer (null until ready). */
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
  playback?: ClipPlayback | null,
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
    ...(playback !== undefined
      ? {
          playback: playback && {
            expires_at: playback.expiresAt.toISOString(),
            url: playback.url,
            poster_url: playback.posterUrl,
          },
        }
      : {}),
  };
}

export function playerSharesView(s: PlayerShares) {
  return {
    player_id: s.playerId,
    on_roster: s.onRoster,
    sessions: s.sessions.map((x) => ({ id: x.id, title: x.title })),
    videos: s.videos.map((v) => ({ id: v.id, session_id: v.sessionId, filename: v.filename })),
    clips: s.clips.map((c) => ({ id: c.id, video_id: c.videoId, title: c.title })),
  };
}

import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
  type Part,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../domain/identity/access';
import { failurePolicy, notRetryableMessage, type FailureKind, type Stage } from '../../domain/video/status';
import {
  checkCompletedParts,
  checkDeclaredFile,
  declaredContainer,
  formatBytes,
  MAX_VIDEO_BYTES,
  missingParts,
  partRange,
  planParts,
  summariseNumbers,
  type VideoContentType,
} from '../../domain/video/upload';
import { Prisma } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { objectSize, presignGet, ttlSeconds } from '../../infra/object-files';
import { videoKeys } from '../../infra/video-objects';
import { currentUsage } from '../../data/usage';
import {
  notOnRoster,
  releaseStorage,
  reserveStorage,
  storageLimit,
  syncSessionStatus,
  videoFacts,
  videoSessionFacts,
  type StoredRendition,
} from '../../data/videos';
import {
  requestVideoDeletion,
  signalCancelUpload,
  signalUploadCompleted,
  startRetryWorkflow,
  startUploadWorkflow,
  videoProgress,
} from '../../app/videos/workflows';
import { enforce } from '../middleware/authorize';
import { tooLarge, unavailable, badRequest, conflict, notFound } from '../errors';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json } from '../openapi';
import {
  AnnotationBody,
  AnnotationPatch,
  annotationProblems,
  AnnotationSchema,
  annotationView,
  CompleteBody,
  dateRange,
  SessionCreateBody,
  SessionListQuery,
  SessionSchema,
  SessionUpdateBody,
  sessionView,
  SharesBody,
  UploadBody,
  UploadSchema,
  VideoSchema,
  videoView,
  type VideoRow,
} from './schemas';

const SessionParam = z.object({ id: z.uuid() });
const VideoParam = z.object({ id: z.uuid(), videoId: z.uuid() });
const AnnotationParam = z.object({ id: z.uuid(), videoId: z.uuid(), annotationId: z.uuid() });
const VideoOnlyParam = z.object({ videoId: z.uuid() });

const secured = { security: [{ bearerAuth: [] }] };
const tags = ['video'];

/** Video sessions, direct-to-S3 uploads, processing state, playback, sharing and annotations. */
export function videoRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const { db, s3, cfg } = deps;
  const bucket = cfg.S3_BUCKET;
  const auth = requireAuth(deps);
  const coach = [auth, requireFeature('video_upload_enabled')];

  // --- Loading with access checks -------------------------------------------------------------------------

  async function sessionFor(actor: Actor, id: string, action: 'read' | 'write') {
    const session = await db.videoSession.findFirst({ where: { id, deletedAt: null } });
    enforce(
      actor,
      action,
      session ? await videoSessionFacts(db, actor, session) : undefined,
      'Video session',
    );
    return session!;
  }

  async function videoFor(actor: Actor, videoId: string, action: 'read' | 'write', sessionId?: string) {
    const video = await db.video.findFirst({
      where: {
        id: videoId,
        deletedAt: null,
        session: { deletedAt: null },
        ...(sessionId ? { sessionId } : {}),
      },
      include: { session: true },
    });
    enforce(actor, action, video ? await videoFacts(db, actor, video) : undefined, 'Video');
    return video!;
  }

  async function rosterCheck(coachId: string, playerIds: readonly string[], field: string) {
    const unknown = await notOnRoster(db, coachId, playerIds);
    if (unknown.length > 0) {
      throw badRequest(`Not active players on the coach's roster: ${unknown.join(', ')}`, [
        { field, reason: `not active players on the coach's roster: ${unknown.join(', ')}` },
      ]);
    }
  }

  async function presignParts(
    key: string,
    uploadId: string,
    plan: { partSize: number; partCount: number },
    total: number,
    numbers: number[],
  ) {
    const expiresIn = ttlSeconds(cfg.S3_PRESIGN_TTL);
    return Promise.all(
      numbers.map(async (n) => {
        const range = partRange(plan, total, n);
        const url = await getSignedUrl(
          s3,
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n }),
          { expiresIn },
        );
        return { part_number: n, size: range.end - range.start, url };
      }),
    );
  }

  async function playback(video: VideoRow & { posterKey: string | null; analysisKey: string | null }) {
    if (video.status !== 'ready') return null;
    const ttl = cfg.S3_PRESIGN_TTL;
    const base = video.filename.replace(/\.[^.]+$/, '');
    const renditions = await Promise.all(
      (video.renditions as StoredRendition[]).map(async (r) => ({
        label: r.label,
        width: r.width,
        height: r.height,
        url: await presignGet(s3, bucket, r.key, ttl, {
          contentType: 'video/mp4',
          downloadName: `${base}-${r.label}.mp4`,
        }),
      })),
    );
    const report = video.analysis as { key_moments?: { at_seconds: number; frame: string | null }[] } | null;
    const frames = await Promise.all(
      (report?.key_moments ?? [])
        .filter((m) => m.frame)
        .map(async (m) => ({
          at_seconds: m.at_seconds,
          url: await presignGet(s3, bucket, `${videoKeys.prefix(video.id)}analysis/${m.frame}`, ttl, {
            contentType: 'image/jpeg',
          }),
        })),
    );
    return {
      expires_at: new Date(Date.now() + ttlSeconds(ttl) * 1000).toISOString(),
      renditions,
      poster_url: video.posterKey
        ? await presignGet(s3, bucket, video.posterKey, ttl, { contentType: 'image/jpeg' })
        : null,
      analysis_url: video.analysisKey
        ? await presignGet(s3, bucket, video.analysisKey, ttl, { contentType: 'application/json' })
        : null,
      frames,
    };
  }

  async function progressOf(video: VideoRow) {
    if (video.status === 'uploaded' || video.status === 'processing')
      return videoProgress(deps, video.id, video.stage as Stage);
    return undefined;
  }

  async function detail(video: VideoRow & { posterKey: string | null; analysisKey: string | null }) {
    return videoView(video, await progressOf(video), await playback(video));
  }

  // --- Sessions --------------------------------------------------------------------------------------------

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions',
      tags,
      summary: 'Create a video session',
      ...secured,
      middleware: coach,
      request: { body: body(SessionCreateBody) },
      responses: { 201: json(SessionSchema, 'Created (status pending)'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const me = c.get('user');
      const input = c.req.valid('json');
      const playerIds = [...new Set(input.player_ids)];
      await rosterCheck(me.id, playerIds, 'player_ids');
      const session = await db.videoSession.create({
        data: { coachId: me.id, title: input.title, notes: input.notes ?? null, playerIds },
      });
      return c.json(sessionView(session), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions',
      tags,
      summary: 'Your video sessions, newest first (X-Total-Count header carries the total)',
      ...secured,
      middleware: coach,
      request: { query: SessionListQuery },
      responses: { 200: json(z.array(SessionSchema), 'Sessions'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const where = {
        coachId: c.get('user').id,
        deletedAt: null,
        ...(q.player_id ? { playerIds: { has: q.player_id } } : {}),
        ...(dateRange(q.from, q.to) ? { createdAt: dateRange(q.from, q.to) } : {}),
      };
      const [rows, total] = await Promise.all([
        db.videoSession.findMany({
          where,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: q.limit,
          skip: q.offset,
        }),
        db.videoSession.count({ where }),
      ]);
      c.header('X-Total-Count', String(total));
      return c.json(rows.map(sessionView), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions/{id}',
      tags,
      summary: 'A video session',
      ...secured,
      middleware: coach,
      request: { params: SessionParam },
      responses: { 200: json(SessionSchema, 'The session'), ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(sessionView(await sessionFor(c.get('user'), c.req.valid('param').id, 'read')), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/plus/sessions/{id}',
      tags,
      summary: 'Change a session’s title, players or notes',
      ...secured,
      middleware: coach,
      request: { params: SessionParam, body: body(SessionUpdateBody) },
      responses: { 200: json(SessionSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const session = await sessionFor(c.get('user'), c.req.valid('param').id, 'write');
      const input = c.req.valid('json');
      const playerIds = input.player_ids ? [...new Set(input.player_ids)] : undefined;
      if (playerIds) await rosterCheck(session.coachId, playerIds, 'player_ids');
      const updated = await db.videoSession.update({
        where: { id: session.id },
        data: { title: input.title, notes: input.notes, playerIds },
      });
      return c.json(sessionView(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}',
      tags,
      summary: 'Delete a session and its videos (hidden at once; storage freed when the objects are gone)',
      ...secured,
      middleware: coach,
      request: { params: SessionParam },
      responses: {
        202: { description: 'Deletion under way' },
        204: { description: 'Deleted' },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const session = await sessionFor(c.get('user'), c.req.valid('param').id, 'write');
      const videos = await db.video.findMany({
        where: { sessionId: session.id },
        select: { id: true, coachId: true },
      });
      if (videos.length === 0) {
        await db.videoSession.delete({ where: { id: session.id } });
        return c.body(null, 204);
      }
      const now = new Date();
      await db.$transaction([
        db.videoSession.update({ where: { id: session.id }, data: { deletedAt: now } }),
        db.video.updateMany({ where: { sessionId: session.id, deletedAt: null }, data: { deletedAt: now } }),
      ]);
      for (const v of videos) await requestVideoDeletion(deps, v.id, v.coachId);
      return c.body(null, 202);
    },
  );

  // --- Uploads ------------------------------------------------------------------------------------------------

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/upload',
      tags,
      summary: 'Start a direct-to-S3 multipart upload (MP4/MOV up to 2 GB); returns presigned part URLs',
      description:
        'Storage is reserved for size_bytes now and reconciled with the real size after the upload. PUT each part to its URL, ' +
        'keep the ETag response header, then POST …/upload/complete. Lost URLs or an interrupted upload: GET …/upload.',
      ...secured,
      middleware: coach,
      request: { params: SessionParam, body: body(UploadBody) },
      responses: {
        201: json(z.object({ video: VideoSchema, upload: UploadSchema }), 'Upload started'),
        ...errorResponses(400, 401, 403, 404, 413),
      },
    }),
    async (c) => {
      const me = c.get('user');
      const session = await sessionFor(me, c.req.valid('param').id, 'write');
      const input = c.req.valid('json');
      const problems = checkDeclaredFile({
        filename: input.filename,
        contentType: input.content_type,
        sizeBytes: input.size_bytes,
      });
      if (problems.length > 0)
        throw badRequest(
          `Invalid upload: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
          problems,
        );
      if (input.size_bytes > MAX_VIDEO_BYTES) {
        throw tooLarge(
          `This file is ${formatBytes(input.size_bytes)}; videos can be at most ${formatBytes(MAX_VIDEO_BYTES)} (2 GB). Trim or compress it first.`,
          'file_too_large',
          [{ field: 'size_bytes', reason: `must be at most ${MAX_VIDEO_BYTES}` }],
        );
      }
      const owner = await db.user.findUniqueOrThrow({
        where: { id: session.coachId },
        select: { role: true },
      });
      if (!(await reserveStorage(db, session.coachId, owner.role, input.size_bytes))) {
        const limit = storageLimit(owner.role) ?? 0;
        const used = await currentUsage(db, session.coachId, 'storage_bytes');
        throw tooLarge(
          `This ${formatBytes(input.size_bytes)} video does not fit in your storage: ${formatBytes(used)} of ${formatBytes(limit)} is used (${formatBytes(Math.max(0, limit - used))} left). Delete old videos or upgrade your plan.`,
          'storage_quota_exceeded',
          [{ field: 'size_bytes', reason: 'over the storage quota' }],
        );
      }

      const videoId = randomUUID();
      const plan = planParts(input.size_bytes);
      const contentType = input.content_type.toLowerCase() as VideoContentType;
      const key = videoKeys.source(videoId, declaredContainer(input.filename));
      const uploadExpiresAt = new Date(Date.now() + cfg.VIDEO_UPLOAD_TIMEOUT);
      let video;
      try {
        video = await db.video.create({
          data: {
            id: videoId,
            sessionId: session.id,
            coachId: session.coachId,
            filename: input.filename,
            contentType,
            declaredBytes: BigInt(input.size_bytes),
            reservedBytes: BigInt(input.size_bytes),
            sourceKey: key,
            partSize: plan.partSize,
            partCount: plan.partCount,
            uploadExpiresAt,
          },
        });
        // The workflow owns the upload from here: whatever happens next, it aborts and releases on timeout.
        await startUploadWorkflow(deps, videoId, session.coachId);
      } catch (err) {
        await db.video.deleteMany({ where: { id: videoId } });
        await releaseStorage(db, session.coachId, input.size_bytes);
        throw err;
      }
      let uploadId: string;
      try {
        const created = await s3.send(
          new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
        );
        uploadId = created.UploadId!;
      } catch (err) {
        await signalCancelUpload(
          deps,
          videoId,
          'The upload could not be started because storage was unavailable. Try again.',
        );
        throw unavailable(
          `Video storage is unavailable right now; try again in a minute (${(err as Error).message})`,
          'storage_unavailable',
        );
      }
      video = await db.video.update({ where: { id: videoId }, data: { uploadId } });
      await syncSessionStatus(db, session.id);
      const parts = await presignParts(
        key,
        uploadId,
        plan,
        input.size_bytes,
        Array.from({ length: plan.partCount }, (_, i) => i + 1),
      );
      return c.json(
        {
          video: videoView(video),
          upload: {
            part_size: plan.partSize,
            part_count: plan.partCount,
            expires_at: uploadExpiresAt.toISOString(),
            urls_expire_at: new Date(Date.now() + ttlSeconds(cfg.S3_PRESIGN_TTL) * 1000).toISOString(),
            uploaded: [],
            parts,
          },
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/upload',
      tags,
      summary: 'Resume an upload: the parts S3 already has and fresh URLs for the missing ones',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: { 200: json(UploadSchema, 'Upload state'), ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await videoFor(c.get('user'), videoId, 'write', id);
      if (video.status !== 'pending' || !video.uploadId) {
        throw conflict(
          `This upload is no longer in progress (the video is ${video.status})`,
          'upload_not_in_progress',
        );
      }
      const uploaded: Part[] = [];
      let marker: string | undefined;
      try {
        do {
          const page = await s3.send(
            new ListPartsCommand({
              Bucket: bucket,
              Key: video.sourceKey,
              UploadId: video.uploadId,
              PartNumberMarker: marker,
            }),
          );
          uploaded.push(...(page.Parts ?? []));
          marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
        } while (marker);
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchUpload')
          throw conflict('This upload was stopped; start a new upload', 'upload_not_in_progress');
        throw err;
      }
      const plan = { partSize: video.partSize, partCount: video.partCount };
      const total = Number(video.declaredBytes);
      const missing = missingParts(
        plan.partCount,
        uploaded.map((p) => p.PartNumber!),
      );
      return c.json(
        {
          part_size: plan.partSize,
          part_count: plan.partCount,
          expires_at: video.uploadExpiresAt.toISOString(),
          urls_expire_at: new Date(Date.now() + ttlSeconds(cfg.S3_PRESIGN_TTL) * 1000).toISOString(),
          uploaded: uploaded
            .map((p) => ({ part_number: p.PartNumber!, etag: p.ETag ?? '', size: p.Size ?? 0 }))
            .sort((a, b) => a.part_number - b.part_number),
          parts: await presignParts(video.sourceKey, video.uploadId, plan, total, missing),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/upload/complete',
      tags,
      summary: 'Finish the upload with every part’s ETag; processing starts (repeating the call is safe)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam, body: body(CompleteBody) },
      responses: {
        200: json(VideoSchema, 'Uploaded; processing'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await videoFor(c.get('user'), videoId, 'write', id);
      if (video.status === 'uploaded' || video.status === 'processing' || video.status === 'ready')
        return c.json(await detail(video), 200);
      if (video.status === 'failed') {
        throw conflict(
          `This upload has ended: ${video.failureReason ?? 'it failed'}`,
          'upload_not_in_progress',
        );
      }
      const parts = c.req.valid('json').parts.map((p) => ({ partNumber: p.part_number, etag: p.etag }));
      const checked = checkCompletedParts(parts, video.partCount);
      if (!checked.ok)
        throw badRequest(
          `The part list cannot complete this upload: ${checked.problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
          checked.problems,
        );
      try {
        await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: video.sourceKey,
            UploadId: video.uploadId!,
            MultipartUpload: {
              Parts: checked.parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
            },
          }),
        );
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name === 'NoSuchUpload') {
          // Completed by an earlier call whose answer was lost, or stopped: the object says which.
          if ((await objectSize(s3, bucket, video.sourceKey)) === undefined)
            throw conflict('This upload was stopped; start a new upload', 'upload_not_in_progress');
        } else if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
          throw badRequest(`Storage refused the part list (${name}): ${(err as Error).message}`, [
            {
              field: 'parts',
              reason: `must list the ETag S3 returned for each of parts ${summariseNumbers(checked.parts.map((p) => p.partNumber))}; every part but the last must be at least 5 MiB`,
            },
          ]);
        } else {
          throw err;
        }
      }
      const moved = await db.video.updateMany({
        where: { id: video.id, status: 'pending' },
        data: { status: 'uploaded', stage: 'queued', uploadedAt: new Date(), uploadId: null },
      });
      const now = await db.video.findUniqueOrThrow({ where: { id: video.id }, include: { session: true } });
      if (moved.count === 0 && now.status === 'failed')
        throw conflict(
          `This upload has ended: ${now.failureReason ?? 'it failed'}`,
          'upload_not_in_progress',
        );
      await syncSessionStatus(db, video.sessionId);
      await signalUploadCompleted(deps, video.id, video.coachId);
      return c.json(await detail(now), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/upload',
      tags,
      summary: 'Cancel an upload in progress (its parts are discarded and the storage released)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: { 202: { description: 'Cancelling' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await videoFor(c.get('user'), videoId, 'write', id);
      if (video.status !== 'pending')
        throw conflict(
          `This upload is no longer in progress (the video is ${video.status})`,
          'upload_not_in_progress',
        );
      await signalCancelUpload(deps, video.id, 'The upload was cancelled; nothing was kept.');
      return c.body(null, 202);
    },
  );

  // --- Videos --------------------------------------------------------------------------------------------------

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions/{id}/videos',
      tags,
      summary: 'The session’s videos, newest first',
      ...secured,
      middleware: coach,
      request: { params: SessionParam },
      responses: { 200: json(z.array(VideoSchema), 'Videos'), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const session = await sessionFor(c.get('user'), c.req.valid('param').id, 'read');
      const rows = await db.video.findMany({
        where: { sessionId: session.id, deletedAt: null },
        orderBy: { createdAt: 'desc' },
      });
      return c.json(
        rows.map((v) => videoView(v)),
        200,
      );
    },
  );

  const detailRoute = (
    path: string,
    middleware: typeof coach,
    params: typeof VideoParam | typeof VideoOnlyParam,
    summary: string,
  ) =>
    createRoute({
      method: 'get',
      path,
      tags,
      summary,
      ...secured,
      middleware,
      request: { params },
      responses: {
        200: json(VideoSchema, 'The video; playback URLs when ready'),
        ...errorResponses(401, 403, 404),
      },
    });

  app.openapi(
    detailRoute(
      '/api/coaches/plus/sessions/{id}/videos/{videoId}',
      coach,
      VideoParam,
      'A video: state, progress, and short-lived playback URLs when ready',
    ),
    async (c) => {
      const { id, videoId } = c.req.valid('param') as { id: string; videoId: string };
      return c.json(await detail(await videoFor(c.get('user'), videoId, 'read', id)), 200);
    },
  );

  app.openapi(
    detailRoute(
      '/api/videos/{videoId}',
      [auth],
      VideoOnlyParam,
      'A video for anyone allowed to watch it (coach, its players, org admins, superusers)',
    ),
    async (c) => {
      const { videoId } = c.req.valid('param');
      return c.json(await detail(await videoFor(c.get('user'), videoId, 'read')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/videos',
      tags,
      summary: 'Ready videos shared with you (as a player of the session or directly)',
      ...secured,
      middleware: [auth],
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: { 200: json(z.array(VideoSchema), 'Videos'), ...errorResponses(401) },
    }),
    async (c) => {
      const me = c.get('user').id;
      const q = c.req.valid('query');
      const where = {
        status: 'ready' as const,
        deletedAt: null,
        session: { deletedAt: null },
        OR: [{ sharedPlayerIds: { has: me } }, { session: { playerIds: { has: me } } }],
      };
      const [rows, total] = await Promise.all([
        db.video.findMany({ where, orderBy: { createdAt: 'desc' }, take: q.limit, skip: q.offset }),
        db.video.count({ where }),
      ]);
      c.header('X-Total-Count', String(total));
      return c.json(
        rows.map((v) => videoView(v)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/retry',
      tags,
      summary: 'Run a failed video through the pipeline again (coach or superuser)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: { 202: json(VideoSchema, 'Processing again'), ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await videoFor(c.get('user'), videoId, 'write', id);
      if (video.status !== 'failed')
        throw conflict(`Only a failed video can be retried (this one is ${video.status})`, 'not_failed');
      const kind = video.failureKind as FailureKind;
      if (!failurePolicy(kind)?.retryable) throw conflict(notRetryableMessage(kind), 'not_retryable');
      const moved = await db.video.updateMany({
        where: { id: video.id, status: 'failed' },
        data: { status: 'uploaded', stage: 'queued', failureKind: null, failureReason: null, failedAt: null },
      });
      if (moved.count === 0) throw conflict('This video is already being retried', 'already_retrying');
      try {
        await startRetryWorkflow(deps, video.id, video.coachId);
      } catch (err) {
        await db.video.updateMany({
          where: { id: video.id, status: 'uploaded' },
          data: {
            status: 'failed',
            stage: 'failed',
            failureKind: video.failureKind,
            failureReason: video.failureReason,
            failedAt: video.failedAt,
          },
        });
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          throw conflict('The last run is still finishing; retry in a few seconds', 'still_running');
        throw err;
      }
      await syncSessionStatus(db, video.sessionId);
      const now = await db.video.findUniqueOrThrow({ where: { id: video.id } });
      return c.json(videoView(now), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}',
      tags,
      summary:
        'Delete a video with its renditions, analysis and clips (hidden at once; storage freed when the objects are gone)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: { 202: { description: 'Deletion under way' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await videoFor(c.get('user'), videoId, 'write', id);
      await db.video.update({ where: { id: video.id }, data: { deletedAt: new Date() } });
      await syncSessionStatus(db, video.sessionId);
      await requestVideoDeletion(deps, video.id, video.coachId);
      return c.body(null, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/shares',
      tags,
      summary: 'Share the video with players beyond the session’s own (replaces the list)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam, body: body(SharesBody) },
      responses: { 200: json(VideoSchema, 'Shared'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await videoFor(c.get('user'), videoId, 'write', id);
      const playerIds = [...new Set(c.req.valid('json').player_ids)];
      await rosterCheck(video.coachId, playerIds, 'player_ids');
      const updated = await db.video.update({
        where: { id: video.id },
        data: { sharedPlayerIds: playerIds },
      });
      return c.json(videoView(updated), 200);
    },
  );

  // --- Annotations ---------------------------------------------------------------------------------------------

  async function readyVideoFor(actor: Actor, videoId: string, sessionId: string) {
    const video = await videoFor(actor, videoId, 'write', sessionId);
    if (video.status !== 'ready' || video.durationSeconds === null)
      throw conflict('Annotations can be added once the video is ready', 'video_not_ready');
    return video as typeof video & { durationSeconds: number };
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/annotations',
      tags,
      summary: 'Add a timestamped note, marker or drawing (JSON shapes, coordinates 0..1)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam, body: body(AnnotationBody) },
      responses: { 201: json(AnnotationSchema, 'Added'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await readyVideoFor(c.get('user'), videoId, id);
      const a = c.req.valid('json');
      const problems = annotationProblems(a, video.durationSeconds);
      if (problems.length > 0)
        throw badRequest(
          `Invalid annotation: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
          problems,
        );
      const row = await db.videoAnnotation.create({
        data: {
          videoId: video.id,
          authorId: c.get('user').id,
          kind: a.kind,
          atSeconds: a.at_seconds,
          endSeconds: a.end_seconds ?? null,
          text: a.text || null,
          shapes: a.shapes ?? undefined,
        },
      });
      return c.json(annotationView(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/annotations/{annotationId}',
      tags,
      summary: 'Change an annotation',
      ...secured,
      middleware: coach,
      request: { params: AnnotationParam, body: body(AnnotationPatch) },
      responses: { 200: json(AnnotationSchema, 'Updated'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId, annotationId } = c.req.valid('param');
      const video = await readyVideoFor(c.get('user'), videoId, id);
      const existing = await db.videoAnnotation.findFirst({ where: { id: annotationId, videoId: video.id } });
      if (!existing) throw notFound('Annotation');
      const patch = c.req.valid('json');
      const merged = {
        kind: existing.kind,
        at_seconds: patch.at_seconds ?? existing.atSeconds,
        end_seconds: patch.end_seconds !== undefined ? patch.end_seconds : existing.endSeconds,
        text: patch.text !== undefined ? patch.text : existing.text,
        shapes: patch.shapes !== undefined ? patch.shapes : (existing.shapes as unknown[] | null),
      };
      const problems = annotationProblems(merged, video.durationSeconds);
      if (problems.length > 0)
        throw badRequest(
          `Invalid annotation: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
          problems,
        );
      const row = await db.videoAnnotation.update({
        where: { id: existing.id },
        data: {
          atSeconds: merged.at_seconds,
          endSeconds: merged.end_seconds ?? null,
          text: merged.text || null,
          shapes: merged.shapes ? (merged.shapes as Prisma.InputJsonValue) : Prisma.DbNull,
        },
      });
      return c.json(annotationView(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/annotations/{annotationId}',
      tags,
      summary: 'Remove an annotation',
      ...secured,
      middleware: coach,
      request: { params: AnnotationParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id, videoId, annotationId } = c.req.valid('param');
      const video = await videoFor(c.get('user'), videoId, 'write', id);
      const removed = await db.videoAnnotation.deleteMany({ where: { id: annotationId, videoId: video.id } });
      if (removed.count === 0) throw notFound('Annotation');
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/videos/{videoId}/annotations',
      tags,
      summary: 'A video’s annotations in time order (for everyone who may watch it)',
      ...secured,
      middleware: [auth],
      request: { params: VideoOnlyParam },
      responses: { 200: json(z.array(AnnotationSchema), 'Annotations'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const video = await videoFor(c.get('user'), c.req.valid('param').videoId, 'read');
      const rows = await db.videoAnnotation.findMany({
        where: { videoId: video.id },
        orderBy: [{ atSeconds: 'asc' }, { createdAt: 'asc' }],
      });
      return c.json(rows.map(annotationView), 200);
    },
  );

  return app;
}

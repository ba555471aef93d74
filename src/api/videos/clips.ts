import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Actor } from '../../domain/identity/access';
import { checkClipRange } from '../../domain/video/trim';
import type { Deps } from '../../infra/deps';
import { clipFacts, notOnRoster, videoFacts } from '../../data/videos';
import { presignGet, ttlSeconds } from '../../infra/object-files';
import { requestClipDeletion, startClipWorkflow } from '../../app/videos/workflows';
import { enforce } from '../middleware/authorize';
import { badRequest, conflict } from '../errors';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json } from '../openapi';
import { ClipBody, ClipListQuery, ClipSchema, clipView, dateRange, SharesBody } from './schemas';

const secured = { security: [{ bearerAuth: [] }] };
const tags = ['clips'];
const ClipParam = z.object({ clipId: z.uuid() });

/** Clips cut from ready videos: create (clip-<id> workflow), library by player and date, sharing, playback. */
export function clipRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const { db, s3, cfg } = deps;
  const auth = requireAuth(deps);

  async function clipFor(actor: Actor, clipId: string, action: 'read' | 'write') {
    const clip = await db.clip.findFirst({
      where: { id: clipId, video: { deletedAt: null, session: { deletedAt: null } } },
    });
    enforce(actor, action, clip ? await clipFacts(db, actor, clip) : undefined, 'Clip');
    return clip!;
  }

  async function rosterCheck(coachId: string, playerIds: readonly string[]) {
    const unknown = await notOnRoster(db, coachId, playerIds);
    if (unknown.length > 0) {
      throw badRequest(`Not active players on the coach's roster: ${unknown.join(', ')}`, [
        { field: 'player_ids', reason: `not active players on the coach's roster: ${unknown.join(', ')}` },
      ]);
    }
  }

  async function playback(clip: {
    status: string;
    key: string | null;
    posterKey: string | null;
    title: string;
  }) {
    if (clip.status !== 'ready' || !clip.key) return null;
    const ttl = cfg.S3_PRESIGN_TTL;
    return {
      expires_at: new Date(Date.now() + ttlSeconds(ttl) * 1000).toISOString(),
      url: await presignGet(s3, cfg.S3_BUCKET, clip.key, ttl, {
        contentType: 'video/mp4',
        downloadName: `${clip.title.slice(0, 80)}.mp4`,
      }),
      poster_url: clip.posterKey
        ? await presignGet(s3, cfg.S3_BUCKET, clip.posterKey, ttl, { contentType: 'image/jpeg' })
        : null,
    };
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/clips',
      tags,
      summary: 'Cut a clip from a ready video (start/end in seconds, title, moment type, players)',
      ...secured,
      middleware: [auth, requireFeature('clip_creation_enabled')],
      request: { params: z.object({ id: z.uuid(), videoId: z.uuid() }), body: body(ClipBody) },
      responses: {
        202: json(ClipSchema, 'Being cut (status pending)'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const me = c.get('user');
      const { id, videoId } = c.req.valid('param');
      const video = await db.video.findFirst({
        where: { id: videoId, sessionId: id, deletedAt: null, session: { deletedAt: null } },
        include: { session: true },
      });
      enforce(me, 'write', video ? await videoFacts(db, me, video) : undefined, 'Video');
      if (video!.status !== 'ready' || video!.durationSeconds === null)
        throw conflict('Clips can be cut once the video is ready', 'video_not_ready');
      const input = c.req.valid('json');
      const problems = checkClipRange(
        { startSeconds: input.start_seconds, endSeconds: input.end_seconds },
        video!.durationSeconds,
      );
      if (problems.length > 0)
        throw badRequest(
          `Invalid clip: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
          problems,
        );
      const playerIds = [...new Set(input.player_ids)];
      await rosterCheck(video!.coachId, playerIds);
      const clip = await db.clip.create({
        data: {
          videoId: video!.id,
          sessionId: video!.sessionId,
          coachId: video!.coachId,
          title: input.title,
          momentType: input.moment_type,
          startSeconds: input.start_seconds,
          endSeconds: Math.min(input.end_seconds, video!.durationSeconds),
          playerIds,
        },
      });
      try {
        await startClipWorkflow(deps, clip);
      } catch (err) {
        await db.clip.delete({ where: { id: clip.id } });
        throw err;
      }
      return c.json(clipView(clip), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/clips',
      tags,
      summary:
        'Your clip library, newest first; filter by player, video and date (X-Total-Count header carries the total)',
      ...secured,
      middleware: [auth, requireFeature('clip_library')],
      request: { query: ClipListQuery },
      responses: { 200: json(z.array(ClipSchema), 'Clips'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const range = dateRange(q.from, q.to);
      const where = {
        coachId: c.get('user').id,
        video: { deletedAt: null, session: { deletedAt: null } },
        ...(q.player_id ? { playerIds: { has: q.player_id } } : {}),
        ...(q.video_id ? { videoId: q.video_id } : {}),
        ...(range ? { createdAt: range } : {}),
      };
      const [rows, total] = await Promise.all([
        db.clip.findMany({
          where,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: q.limit,
          skip: q.offset,
        }),
        db.clip.count({ where }),
      ]);
      c.header('X-Total-Count', String(total));
      return c.json(
        rows.map((r) => clipView(r)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/clips',
      tags,
      summary: 'Ready clips shared with you, newest first; filter by date',
      ...secured,
      middleware: [auth],
      request: { query: ClipListQuery.pick({ limit: true, offset: true, from: true, to: true }) },
      responses: { 200: json(z.array(ClipSchema), 'Clips'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const range = dateRange(q.from, q.to);
      const where = {
        status: 'ready' as const,
        playerIds: { has: c.get('user').id },
        video: { deletedAt: null, session: { deletedAt: null } },
        ...(range ? { createdAt: range } : {}),
      };
      const [rows, total] = await Promise.all([
        db.clip.findMany({ where, orderBy: { createdAt: 'desc' }, take: q.limit, skip: q.offset }),
        db.clip.count({ where }),
      ]);
      c.header('X-Total-Count', String(total));
      return c.json(
        rows.map((r) => clipView(r)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/clips/{clipId}',
      tags,
      summary:
        'A clip, with a short-lived playback URL when ready (coach, its players, org admins, superusers)',
      ...secured,
      middleware: [auth],
      request: { params: ClipParam },
      responses: { 200: json(ClipSchema, 'The clip'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const clip = await clipFor(c.get('user'), c.req.valid('param').clipId, 'read');
      return c.json(clipView(clip, await playback(clip)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/coaches/plus/clips/{clipId}/shares',
      tags,
      summary: 'Share the clip with players on your roster (replaces the list)',
      ...secured,
      middleware: [auth, requireFeature('clip_creation_enabled')],
      request: { params: ClipParam, body: body(SharesBody) },
      responses: { 200: json(ClipSchema, 'Shared'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const clip = await clipFor(c.get('user'), c.req.valid('param').clipId, 'write');
      const playerIds = [...new Set(c.req.valid('json').player_ids)];
      await rosterCheck(clip.coachId, playerIds);
      const updated = await db.clip.update({ where: { id: clip.id }, data: { playerIds } });
      return c.json(clipView(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/clips/{clipId}',
      tags,
      summary: 'Delete a clip (storage freed when the object is gone)',
      ...secured,
      middleware: [auth, requireFeature('clip_creation_enabled')],
      request: { params: ClipParam },
      responses: { 202: { description: 'Deletion under way' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const clip = await clipFor(c.get('user'), c.req.valid('param').clipId, 'write');
      await requestClipDeletion(deps, clip);
      return c.body(null, 202);
    },
  );

  return app;
}

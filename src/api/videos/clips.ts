import { createRoute } from '@hono/zod-openapi';
import {
  createClip,
  deleteClip,
  getClip,
  listCoachClips,
  listSharedClips,
  shareClip,
} from '../../app/videos/clips';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature } from '../middleware/auth';
import { body, errorResponses, json, secured } from '../openapi';
import { countedList, pageItems, videoRouter } from './routing';
import {
  ClipCreateBody,
  ClipListQuery,
  ClipParam,
  ClipSchema,
  SharedClipListQuery,
  SharesBody,
  VideoParam,
} from './schemas';
import { clipView } from './views';

const tags = ['clips'];

/** Clips cut from ready videos: create (clip-<id> workflow), library by player and date, sharing, playback. */
export function clipRoutes(deps: Deps) {
  const app = videoRouter();
  const auth = requireAuth(deps);
  const cutter = [auth, requireFeature('clip_creation_enabled')];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/clips',
      operationId: 'createClip',
      tags,
      summary: 'Cut a clip from a ready video (start/end in seconds, title, moment type, players)',
      ...secured,
      middleware: cutter,
      request: { params: VideoParam, body: body(ClipCreateBody) },
      responses: {
        202: json(ClipSchema, 'Being cut (status pending)'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const input = c.req.valid('json');
      const clip = await createClip(
        deps,
        c.get('user'),
        { sessionId: id, videoId },
        {
          title: input.title,
          startSeconds: input.start_seconds,
          endSeconds: input.end_seconds,
          momentType: input.moment_type,
          playerIds: input.player_ids,
        },
      );
      return c.json(clipView(clip), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/clips',
      operationId: 'listCoachClips',
      tags,
      summary:
        'Your clip library, newest first; filter by player, video and date (X-Total-Count header carries the total)',
      ...secured,
      middleware: [auth, requireFeature('clip_library')],
      request: { query: ClipListQuery },
      responses: { 200: countedList(ClipSchema, 'Clips'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const filter = { ...q, playerId: q.player_id, videoId: q.video_id };
      const page = await listCoachClips(deps, c.get('user').id, filter);
      return c.json(
        pageItems(c, page).map((clip) => clipView(clip)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/clips',
      operationId: 'listMyClips',
      tags,
      summary: 'Ready clips shared with you, newest first; filter by date',
      ...secured,
      middleware: [auth],
      request: { query: SharedClipListQuery },
      responses: { 200: countedList(ClipSchema, 'Clips'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const page = await listSharedClips(deps, c.get('user').id, c.req.valid('query'));
      return c.json(
        pageItems(c, page).map((clip) => clipView(clip)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/clips/{clipId}',
      operationId: 'getClip',
      tags,
      summary:
        'A clip, with a short-lived playback URL when ready (coach, its players, org admins, superusers)',
      ...secured,
      middleware: [auth],
      request: { params: ClipParam },
      responses: { 200: json(ClipSchema, 'The clip'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { clip, playback } = await getClip(deps, c.get('user'), c.req.valid('param').clipId);
      return c.json(clipView(clip, playback), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/coaches/plus/clips/{clipId}/shares',
      operationId: 'setClipShares',
      tags,
      summary: 'Share the clip with players on your roster (replaces the list)',
      ...secured,
      middleware: cutter,
      request: { params: ClipParam, body: body(SharesBody) },
      responses: { 200: json(ClipSchema, 'Shared'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const clipId = c.req.valid('param').clipId;
      const clip = await shareClip(deps, c.get('user'), clipId, c.req.valid('json').player_ids);
      return c.json(clipView(clip), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/clips/{clipId}',
      operationId: 'deleteClip',
      tags,
      summary: 'Delete a clip (storage freed when the object is gone)',
      ...secured,
      middleware: cutter,
      request: { params: ClipParam },
      responses: {
        202: { description: 'Deletion under way' },
        ...errorResponses(401, 403, 404),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      await deleteClip(deps, c.get('user'), c.req.valid('param').clipId);
      return c.body(null, 202);
    },
  );

  return app;
}

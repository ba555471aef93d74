import { createRoute } from '@hono/zod-openapi';
import {
  createVideoSession,
  deleteVideo,
  deleteVideoSession,
  getVideoSession,
  listVideoSessions,
  updateVideoSession,
} from '../../app/videos/sessions';
import type { Deps } from '../../infra/deps';
import { body, errorResponses, json, secured } from '../openapi';
import { countedList, gates, pageItems, videoRouter } from './routing';
import {
  VideoParam,
  VideoSessionCreateBody,
  VideoSessionListQuery,
  VideoSessionParam,
  VideoSessionSchema,
  VideoSessionUpdateBody,
} from './schemas';
import { videoSessionView } from './views';

const tags = ['video'];

/** Video sessions: create, list, read, change, delete (the session or one of its videos). */
export function videoSessionRoutes(deps: Deps) {
  const app = videoRouter();
  const { coach } = gates(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions',
      operationId: 'createVideoSession',
      tags,
      summary: 'Create a video session',
      ...secured,
      middleware: coach,
      request: { body: body(VideoSessionCreateBody) },
      responses: {
        201: json(VideoSessionSchema, 'Created (status pending)'),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const session = await createVideoSession(deps, c.get('user').id, {
        title: input.title,
        notes: input.notes,
        playerIds: input.player_ids,
      });
      return c.json(videoSessionView(session), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions',
      operationId: 'listVideoSessions',
      tags,
      summary: 'Your video sessions, newest first (X-Total-Count header carries the total)',
      ...secured,
      middleware: coach,
      request: { query: VideoSessionListQuery },
      responses: { 200: countedList(VideoSessionSchema, 'Sessions'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listVideoSessions(deps, c.get('user').id, { ...q, playerId: q.player_id });
      return c.json(pageItems(c, page).map(videoSessionView), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions/{id}',
      operationId: 'getVideoSession',
      tags,
      summary: 'A video session',
      ...secured,
      middleware: coach,
      request: { params: VideoSessionParam },
      responses: { 200: json(VideoSessionSchema, 'The session'), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const session = await getVideoSession(deps, c.get('user'), c.req.valid('param').id);
      return c.json(videoSessionView(session), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/plus/sessions/{id}',
      operationId: 'updateVideoSession',
      tags,
      summary: 'Change a session’s title, players or notes',
      ...secured,
      middleware: coach,
      request: { params: VideoSessionParam, body: body(VideoSessionUpdateBody) },
      responses: { 200: json(VideoSessionSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const session = await updateVideoSession(deps, c.get('user'), c.req.valid('param').id, {
        title: input.title,
        notes: input.notes,
        playerIds: input.player_ids,
      });
      return c.json(videoSessionView(session), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}',
      operationId: 'deleteVideoSession',
      tags,
      summary: 'Delete a session and its videos (hidden at once; storage freed when the objects are gone)',
      ...secured,
      middleware: coach,
      request: { params: VideoSessionParam },
      responses: {
        202: { description: 'Deletion under way' },
        204: { description: 'Deleted' },
        ...errorResponses(401, 403, 404),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const outcome = await deleteVideoSession(deps, c.get('user'), c.req.valid('param').id);
      return c.body(null, outcome === 'deleted' ? 204 : 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}',
      operationId: 'deleteVideo',
      tags,
      summary:
        'Delete a video with its renditions, analysis and clips (hidden at once; storage freed when the objects are gone)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: {
        202: { description: 'Deletion under way' },
        ...errorResponses(401, 403, 404),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      await deleteVideo(deps, c.get('user'), { sessionId: id, videoId });
      return c.body(null, 202);
    },
  );

  return app;
}

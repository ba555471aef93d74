import { createRoute, z } from '@hono/zod-openapi';
import { getVideo, listSessionVideos, listSharedVideos, shareVideo } from '../../app/videos/playback';
import { sharesNaming } from '../../app/videos/shares';
import type { Deps } from '../../infra/deps';
import { body, errorResponses, json, secured } from '../openapi';
import { countedList, gates, pageItems, videoRouter } from './routing';
import {
  PageQuery,
  PlayerParam,
  PlayerSharesSchema,
  SharesBody,
  VideoOnlyParam,
  VideoParam,
  VideoSchema,
  VideoSessionParam,
} from './schemas';
import { playerSharesView, videoDetailView, videoView } from './views';

const tags = ['video'];

/** Watching: a session's videos, one video with playback URLs, the videos shared with me, sharing and what names a player. */
export function videoPlaybackRoutes(deps: Deps) {
  const app = videoRouter();
  const { coach, signedIn } = gates(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions/{id}/videos',
      operationId: 'listSessionVideos',
      tags,
      summary: 'The session’s videos, newest first',
      ...secured,
      middleware: coach,
      request: { params: VideoSessionParam },
      responses: { 200: json(z.array(VideoSchema), 'Videos'), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const videos = await listSessionVideos(deps, c.get('user'), c.req.valid('param').id);
      return c.json(
        videos.map((v) => videoView(v)),
        200,
      );
    },
  );

  const detailResponses = {
    200: json(VideoSchema, 'The video; playback URLs when ready'),
    ...errorResponses(401, 403, 404),
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}',
      operationId: 'getSessionVideo',
      tags,
      summary: 'A video: state, progress, and short-lived playback URLs when ready',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: detailResponses,
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      return c.json(videoDetailView(await getVideo(deps, c.get('user'), { sessionId: id, videoId })), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/videos/{videoId}',
      operationId: 'getVideo',
      tags,
      summary: 'A video for anyone allowed to watch it (coach, its players, org admins, superusers)',
      ...secured,
      middleware: signedIn,
      request: { params: VideoOnlyParam },
      responses: detailResponses,
    }),
    async (c) => {
      const { videoId } = c.req.valid('param');
      return c.json(videoDetailView(await getVideo(deps, c.get('user'), { videoId })), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/videos',
      operationId: 'listMyVideos',
      tags,
      summary: 'Ready videos shared with you (as a player of the session or directly)',
      ...secured,
      middleware: signedIn,
      request: { query: PageQuery },
      responses: { 200: countedList(VideoSchema, 'Videos'), ...errorResponses(401) },
    }),
    async (c) => {
      const page = await listSharedVideos(deps, c.get('user').id, c.req.valid('query'));
      return c.json(
        pageItems(c, page).map((v) => videoView(v)),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/shares',
      operationId: 'setVideoShares',
      tags,
      summary: 'Share the video with players beyond the session’s own (replaces the list)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam, body: body(SharesBody) },
      responses: { 200: json(VideoSchema, 'Shared'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const ids = { sessionId: id, videoId };
      const video = await shareVideo(deps, c.get('user'), ids, c.req.valid('json').player_ids);
      return c.json(videoView(video), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/players/{playerId}/shares',
      operationId: 'listPlayerShares',
      tags,
      summary:
        'What names a player: sessions, videos shared directly, clips (in effect only while they are on your roster; 500 newest of each)',
      ...secured,
      middleware: coach,
      request: { params: PlayerParam },
      responses: { 200: json(PlayerSharesSchema, 'Shares'), ...errorResponses(401, 403) },
    }),
    async (c) => {
      const shares = await sharesNaming(deps, c.get('user').id, c.req.valid('param').playerId);
      return c.json(playerSharesView(shares), 200);
    },
  );

  return app;
}

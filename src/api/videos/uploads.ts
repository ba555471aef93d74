import { createRoute } from '@hono/zod-openapi';
import {
  cancelUpload,
  completeUpload,
  resumeUpload,
  retryVideo,
  startUpload,
} from '../../app/videos/uploads';
import type { Deps } from '../../infra/deps';
import { body, errorResponses, json, secured } from '../openapi';
import { gates, videoRouter } from './routing';
import {
  UploadCompleteBody,
  UploadStartBody,
  UploadStartedSchema,
  VideoParam,
  VideoSchema,
  VideoSessionParam,
  VideoUploadSchema,
} from './schemas';
import { uploadView, videoDetailView, videoView } from './views';

const tags = ['video'];

/** Direct-to-S3 multipart uploads (start, resume, complete, cancel) and re-running a failed video. */
export function videoUploadRoutes(deps: Deps) {
  const app = videoRouter();
  const { coach } = gates(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/upload',
      operationId: 'startVideoUpload',
      tags,
      summary: 'Start a direct-to-S3 multipart upload (MP4/MOV up to 2 GB); returns presigned part URLs',
      description:
        'Storage is reserved for size_bytes now and reconciled with the real size after the upload. PUT each part to its URL, ' +
        'keep the ETag response header, then POST …/upload/complete. Lost URLs or an interrupted upload: GET …/upload.',
      ...secured,
      middleware: coach,
      request: { params: VideoSessionParam, body: body(UploadStartBody) },
      responses: {
        201: json(UploadStartedSchema, 'Upload started'),
        ...errorResponses(400, 401, 403, 404, 409, 413),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const file = c.req.valid('json');
      const started = await startUpload(deps, c.get('user'), c.req.valid('param').id, {
        filename: file.filename,
        contentType: file.content_type,
        sizeBytes: file.size_bytes,
      });
      return c.json({ video: videoView(started.video), upload: uploadView(started.upload) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/upload',
      operationId: 'resumeVideoUpload',
      tags,
      summary: 'Resume an upload: the parts S3 already has and fresh URLs for the missing ones',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: { 200: json(VideoUploadSchema, 'Upload state'), ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const upload = await resumeUpload(deps, c.get('user'), { sessionId: id, videoId });
      return c.json(uploadView(upload), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/upload/complete',
      operationId: 'completeVideoUpload',
      tags,
      summary: 'Finish the upload with every part’s ETag; processing starts (repeating the call is safe)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam, body: body(UploadCompleteBody) },
      responses: {
        200: json(VideoSchema, 'Uploaded; processing'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const parts = c.req.valid('json').parts.map((p) => ({ partNumber: p.part_number, etag: p.etag }));
      const detail = await completeUpload(deps, c.get('user'), { sessionId: id, videoId }, parts);
      return c.json(videoDetailView(detail), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/upload',
      operationId: 'cancelVideoUpload',
      tags,
      summary: 'Cancel an upload in progress (its parts are discarded and the storage released)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: { 202: { description: 'Cancelling' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      await cancelUpload(deps, c.get('user'), { sessionId: id, videoId });
      return c.body(null, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/retry',
      operationId: 'retryVideo',
      tags,
      summary: 'Run a failed video through the pipeline again (coach or superuser)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam },
      responses: { 202: json(VideoSchema, 'Processing again'), ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const video = await retryVideo(deps, c.get('user'), { sessionId: id, videoId });
      return c.json(videoView(video), 202);
    },
  );

  return app;
}

import { createRoute, z } from '@hono/zod-openapi';
import {
  addAnnotation,
  listAnnotations,
  removeAnnotation,
  updateAnnotation,
} from '../../app/videos/annotations';
import type { Deps } from '../../infra/deps';
import { body, errorResponses, json, secured } from '../openapi';
import { gates, videoRouter } from './routing';
import {
  AnnotationCreateBody,
  AnnotationParam,
  AnnotationSchema,
  AnnotationUpdateBody,
  VideoOnlyParam,
  VideoParam,
} from './schemas';
import { annotationView } from './views';

const tags = ['video'];

/** Timestamped notes, markers and drawings: the coach writes them, everyone who may watch reads them. */
export function videoAnnotationRoutes(deps: Deps) {
  const app = videoRouter();
  const { coach, signedIn } = gates(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/annotations',
      operationId: 'createAnnotation',
      tags,
      summary: 'Add a timestamped note, marker or drawing (JSON shapes, coordinates 0..1)',
      ...secured,
      middleware: coach,
      request: { params: VideoParam, body: body(AnnotationCreateBody) },
      responses: { 201: json(AnnotationSchema, 'Added'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId } = c.req.valid('param');
      const a = c.req.valid('json');
      const row = await addAnnotation(
        deps,
        c.get('user'),
        { sessionId: id, videoId },
        { kind: a.kind, atSeconds: a.at_seconds, endSeconds: a.end_seconds, text: a.text, shapes: a.shapes },
      );
      return c.json(annotationView(row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/annotations/{annotationId}',
      operationId: 'updateAnnotation',
      tags,
      summary: 'Change an annotation',
      ...secured,
      middleware: coach,
      request: { params: AnnotationParam, body: body(AnnotationUpdateBody) },
      responses: { 200: json(AnnotationSchema, 'Updated'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, videoId, annotationId } = c.req.valid('param');
      const p = c.req.valid('json');
      const row = await updateAnnotation(
        deps,
        c.get('user'),
        { sessionId: id, videoId, annotationId },
        { atSeconds: p.at_seconds, endSeconds: p.end_seconds, text: p.text, shapes: p.shapes },
      );
      return c.json(annotationView(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/plus/sessions/{id}/videos/{videoId}/annotations/{annotationId}',
      operationId: 'deleteAnnotation',
      tags,
      summary: 'Remove an annotation',
      ...secured,
      middleware: coach,
      request: { params: AnnotationParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id, videoId, annotationId } = c.req.valid('param');
      await removeAnnotation(deps, c.get('user'), { sessionId: id, videoId, annotationId });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/videos/{videoId}/annotations',
      operationId: 'listVideoAnnotations',
      tags,
      summary: 'A video’s annotations in time order (for everyone who may watch it)',
      ...secured,
      middleware: signedIn,
      request: { params: VideoOnlyParam },
      responses: { 200: json(z.array(AnnotationSchema), 'Annotations'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const rows = await listAnnotations(deps, c.get('user'), c.req.valid('param').videoId);
      return c.json(rows.map(annotationView), 200);
    },
  );

  return app;
}

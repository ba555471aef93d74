import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { publicCourse } from '../../app/courses/catalogue';
import * as enrolment from '../../app/courses/enrolment';
import { lecturePlayback } from '../../app/courses/playback';
import type { Deps } from '../../infra/deps';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, pageOf, secured } from '../openapi';
import { coachCourseRoutes } from './coach-routes';
import {
  lectureIds,
  CourseIdParam,
  CourseSlugParam,
  EnrolBody,
  EnrolmentSchema,
  LectureParams,
  LecturePlaybackSchema,
  LectureProgressSchema,
  MyCourseSchema,
  PageQuery,
  ProgressBody,
  PublicCourseSchema,
} from './schemas';
import { enrolmentView, myCourseView, playbackView, progressView, publicCourseView } from './views';

// Courses as students see them: the public page by slug, enrolment, their list, progress and playback.

export function courseRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const { db } = deps;
  const tags = ['courses'];

  app.route('/', coachCourseRoutes(deps));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/courses/{slug}',
      operationId: 'getPublicCourse',
      security: [],
      tags,
      summary:
        'A published course’s page: lectures with titles and durations, price and coach (no login needed)',
      request: { params: CourseSlugParam },
      responses: { 200: json(PublicCourseSchema, 'The course'), ...errorResponses(400, 404) },
    }),
    async (c) => c.json(publicCourseView(await publicCourse(db, c.req.valid('param').slug)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/courses/{id}/enroll',
      operationId: 'enrollInCourse',
      tags,
      summary:
        'Enrol in a free, email-gated (send emailConsent: true) or membership course; enrolling again answers the enrolment',
      ...secured,
      middleware: [auth],
      request: {
        params: CourseIdParam,
        body: { required: false, content: { 'application/json': { schema: EnrolBody } } },
      },
      responses: {
        200: json(EnrolmentSchema, 'Already enrolled'),
        201: json(EnrolmentSchema, 'Enrolled'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const input = (c.req.valid('json') as { emailConsent?: boolean } | undefined) ?? {};
      const { enrollment, created } = await enrolment.enrol(db, user, c.req.valid('param').id, input);
      return c.json(enrolmentView(enrollment), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/courses',
      operationId: 'listEnrolledCourses',
      tags,
      summary: 'Courses you are enrolled in, newest first, with your progress',
      ...secured,
      middleware: [auth],
      request: { query: PageQuery },
      responses: { 200: json(pageOf(MyCourseSchema), 'Your courses'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const page = await enrolment.myCourses(db, c.get('user').id, c.req.valid('query'));
      return c.json({ items: page.items.map(myCourseView), total: page.total }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/courses/{id}/lectures/{lectureId}/progress',
      operationId: 'reportLectureProgress',
      tags,
      summary: 'Report how far you got in a lecture (progress only moves forward)',
      ...secured,
      middleware: [auth],
      request: { params: LectureParams, body: body(ProgressBody) },
      responses: { 200: json(LectureProgressSchema, 'Your progress'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ids = lectureIds(c.req.valid('param'));
      const saved = await enrolment.reportProgress(db, c.get('user').id, ids, c.req.valid('json'));
      return c.json(progressView(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/courses/{id}/lectures/{lectureId}/playback',
      operationId: 'getLecturePlayback',
      tags,
      summary: 'Short-lived playback URLs for a lecture, only while you are entitled to it',
      ...secured,
      middleware: [auth],
      request: { params: LectureParams },
      responses: { 200: json(LecturePlaybackSchema, 'Playback'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, lectureId } = c.req.valid('param');
      return c.json(playbackView(await lecturePlayback(deps, c.get('user').id, id, lectureId)), 200);
    },
  );

  return app;
}

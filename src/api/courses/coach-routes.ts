import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as courses from '../../app/courses/courses';
import * as lectures from '../../app/courses/lectures';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, listOf, pageOf, secured } from '../openapi';
import {
  lectureIds,
  CourseIdParam,
  CourseSchema,
  CreateCourseBody,
  LectureBody,
  LectureParams,
  LectureSchema,
  PageQuery,
  ReorderBody,
  UpdateCourseBody,
  UpdateLectureBody,
} from './schemas';
import { courseView, lectureView } from './views';

// A coach's courses and their lectures, under /api/coaches/me/courses. Selling courses comes with the
// plan feature that sells pay-per-minute sessions.

export function coachCourseRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const coach = [requireAuth(deps), requireFeature('paid_sessions_enabled')];
  const { db } = deps;
  const tags = ['courses'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/courses',
      operationId: 'createCourse',
      tags,
      summary: 'Create a course (unpublished until it has lectures and you publish it)',
      ...secured,
      middleware: coach,
      request: { body: body(CreateCourseBody) },
      responses: { 201: json(CourseSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) =>
      c.json(courseView(await courses.createCourse(db, c.get('user').id, c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/courses',
      operationId: 'listMyCourses',
      tags,
      summary: 'Your courses, newest first, published or not',
      ...secured,
      middleware: coach,
      request: { query: PageQuery },
      responses: { 200: json(pageOf(CourseSchema), 'Your courses'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const page = await courses.coursesOf(db, c.get('user').id, c.req.valid('query'));
      return c.json({ items: page.items.map(courseView), total: page.total }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/courses/{id}',
      operationId: 'getMyCourse',
      tags,
      summary: 'One of your courses with its lectures',
      ...secured,
      middleware: coach,
      request: { params: CourseIdParam },
      responses: { 200: json(CourseSchema, 'The course'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(courseView(await courses.coachCourse(db, c.get('user').id, c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/me/courses/{id}',
      operationId: 'updateCourse',
      tags,
      summary: 'Change a course; `published` publishes (needs a lecture) or unpublishes it',
      ...secured,
      middleware: coach,
      request: { params: CourseIdParam, body: body(UpdateCourseBody) },
      responses: { 200: json(CourseSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const saved = await courses.updateCourse(db, c.get('user').id, id, c.req.valid('json'));
      return c.json(courseView(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/courses/{id}',
      operationId: 'deleteCourse',
      tags,
      summary:
        'Delete a course with its lectures, enrolments and progress (refused once paid sessions used it)',
      ...secured,
      middleware: coach,
      request: { params: CourseIdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      await courses.deleteCourse(db, c.get('user').id, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/courses/{id}/lectures',
      operationId: 'addLecture',
      tags,
      summary: 'Add a lecture at the end: a stretch of one of your ready videos',
      ...secured,
      middleware: coach,
      request: { params: CourseIdParam, body: body(LectureBody) },
      responses: { 201: json(LectureSchema, 'Added'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const saved = await lectures.addLecture(db, c.get('user').id, id, c.req.valid('json'));
      return c.json(lectureView(saved), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/coaches/me/courses/{id}/lectures/order',
      operationId: 'reorderLectures',
      tags,
      summary: 'Put the lectures in a new order (every lecture id once)',
      ...secured,
      middleware: coach,
      request: { params: CourseIdParam, body: body(ReorderBody) },
      responses: {
        200: json(listOf(LectureSchema), 'The lectures in order'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const list = await lectures.reorderLectures(db, c.get('user').id, id, c.req.valid('json').lectureIds);
      return c.json({ items: list.map(lectureView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/me/courses/{id}/lectures/{lectureId}',
      operationId: 'updateLecture',
      tags,
      summary: 'Change a lecture’s title, video or range',
      ...secured,
      middleware: coach,
      request: { params: LectureParams, body: body(UpdateLectureBody) },
      responses: { 200: json(LectureSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const ids = lectureIds(c.req.valid('param'));
      const saved = await lectures.updateLecture(db, c.get('user').id, ids, c.req.valid('json'));
      return c.json(lectureView(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/courses/{id}/lectures/{lectureId}',
      operationId: 'deleteLecture',
      tags,
      summary: 'Remove a lecture (the ones after it move up)',
      ...secured,
      middleware: coach,
      request: { params: LectureParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      await lectures.deleteLecture(db, c.get('user').id, lectureIds(c.req.valid('param')));
      return c.body(null, 204);
    },
  );

  return app;
}

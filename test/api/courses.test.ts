import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoKeys } from '../../src/infra/video-objects';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';
import { createSession } from '../support/video';

// Courses on the real stack (Postgres, MinIO): a coach's CRUD of courses and lectures cut from their
// own ready videos, the public course and coach pages, enrolment per access type, monotonic progress,
// and playback URLs handed out only to whoever is entitled at that moment — then fetched from S3.

let ctx: TestContext;
let coach: TestUser;
let otherCoach: TestUser;
let student: TestUser;
let stranger: TestUser;
let member: TestUser;
let videoId: string;
let shortVideoId: string;
let processingVideoId: string;
let otherCoachVideoId: string;
const RENDITION_BYTES = 'rendition bytes of the nets video';

async function readyVideo(
  owner: TestUser,
  opts: { status?: 'ready' | 'processing'; duration?: number } = {},
) {
  const sessionId = (await createSession(ctx.app, owner.token, { title: 'Nets' })).id;
  const id = crypto.randomUUID();
  const key = videoKeys.rendition(id, '360p');
  await ctx.deps.s3.send(
    new PutObjectCommand({
      Bucket: ctx.deps.cfg.S3_BUCKET,
      Key: key,
      Body: RENDITION_BYTES,
      ContentType: 'video/mp4',
    }),
  );
  // The rows a finished pipeline leaves; made directly (test setup) so this file needs no workers.
  await ctx.deps.db.video.create({
    data: {
      id,
      sessionId,
      coachId: owner.id,
      filename: 'nets.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1000n,
      sourceKey: videoKeys.source(id, 'mp4'),
      partSize: 8 * 1024 * 1024,
      partCount: 1,
      uploadExpiresAt: new Date(),
      status: opts.status ?? 'ready',
      durationSeconds: opts.duration ?? 120.5,
      renditions: [{ label: '360p', key, width: 640, height: 360, bytes: 33, videoKbps: 800, audioKbps: 96 }],
      readyAt: new Date(),
    },
  });
  return id;
}

const slug = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 8)}`;

async function course(owner: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(ctx.app, 'POST', '/api/coaches/me/courses', {
    token: owner.token,
    body: { slug: slug('course'), title: 'Batting basics', accessType: 'free', ...body },
  });
  if (res.status !== 201) throw new Error(`create course failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; slug: string };
}

async function lecture(owner: TestUser, courseId: string, body: Record<string, unknown> = {}) {
  const res = await call(ctx.app, 'POST', `/api/coaches/me/courses/${courseId}/lectures`, {
    token: owner.token,
    body: { title: 'Grip', videoId, ...body },
  });
  if (res.status !== 201) throw new Error(`add lecture failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; position: number; durationSeconds: number };
}

/** A published course with one lecture of the coach's ready video. */
async function publishedCourse(body: Record<string, unknown> = {}) {
  const c = await course(coach, body);
  const l = await lecture(coach, c.id, { startSeconds: 10, endSeconds: 70 });
  const res = await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}`, {
    token: coach.token,
    body: { published: true },
  });
  expect(res.status).toBe(200);
  return { ...c, lectureId: l.id };
}

const playback = (user: TestUser, courseId: string, lectureId: string) =>
  call(ctx.app, 'GET', `/api/courses/${courseId}/lectures/${lectureId}/playback`, { token: user.token });

beforeAll(async () => {
  ctx = await startTestContext();
  coach = await createUser(ctx.app, ctx.deps, 'coach_pro_plus', 'coach');
  otherCoach = await createUser(ctx.app, ctx.deps, 'coach_pro_plus', 'othercoach');
  student = await createUser(ctx.app, ctx.deps, 'free', 'student');
  stranger = await createUser(ctx.app, ctx.deps, 'free', 'stranger');
  member = await createUser(ctx.app, ctx.deps, 'player_pro', 'member');
  videoId = await readyVideo(coach);
  shortVideoId = await readyVideo(coach, { duration: 30 });
  processingVideoId = await readyVideo(coach, { status: 'processing' });
  otherCoachVideoId = await readyVideo(otherCoach);
});

afterAll(async () => ctx?.close());

describe('a coach’s courses', () => {
  it('creates, reads, lists, changes and deletes a course', async () => {
    const created = await call(ctx.app, 'POST', '/api/coaches/me/courses', {
      token: coach.token,
      body: {
        slug: slug('spin'),
        title: 'Spin bowling',
        description: 'Wrist and finger spin',
        accessType: 'paid_per_minute',
        pricePerMinuteMinor: 25,
        currency: 'GBP',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      coachId: coach.id,
      accessType: 'paid_per_minute',
      pricePerMinuteMinor: 25,
      currency: 'gbp',
      published: false,
      lectures: [],
    });
    const id = created.body.id as string;

    const read = await call(ctx.app, 'GET', `/api/coaches/me/courses/${id}`, { token: coach.token });
    expect(read.status).toBe(200);
    expect(read.body.title).toBe('Spin bowling');

    const list = await call(ctx.app, 'GET', '/api/coaches/me/courses?limit=100', { token: coach.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(id);
    expect(list.body.total).toBeGreaterThanOrEqual(1);

    // Switching to a free course drops the per-minute price without being told.
    const patched = await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${id}`, {
      token: coach.token,
      body: { accessType: 'free', title: 'Spin bowling for all' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      accessType: 'free',
      pricePerMinuteMinor: 0,
      title: 'Spin bowling for all',
    });

    const deleted = await call(ctx.app, 'DELETE', `/api/coaches/me/courses/${id}`, { token: coach.token });
    expect(deleted.status).toBe(204);
    expect(await ctx.deps.db.course.count({ where: { id } })).toBe(0);
  });

  it('publishes only with a lecture, and unpublishes', async () => {
    const c = await course(coach);
    const empty = await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}`, {
      token: coach.token,
      body: { published: true },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([
      { field: 'published', reason: 'a course needs at least one lecture to be published' },
    ]);
    await lecture(coach, c.id);
    const published = await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}`, {
      token: coach.token,
      body: { published: true },
    });
    expect(published.status).toBe(200);
    expect(published.body.published).toBe(true);
    expect(published.body.publishedAt).toEqual(expect.any(String));
    const unpublished = await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}`, {
      token: coach.token,
      body: { published: false },
    });
    expect(unpublished.body).toMatchObject({ published: false, publishedAt: null });
  });

  it('needs the paid_sessions_enabled feature', async () => {
    const res = await call(ctx.app, 'POST', '/api/coaches/me/courses', {
      token: student.token,
      body: { slug: slug('nope'), title: 'Nope', accessType: 'free' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('paid_sessions_enabled');
    expect((await call(ctx.app, 'GET', '/api/coaches/me/courses')).status).toBe(401);
  });

  it('hides one coach’s course from another coach: 404 on every route, nothing changed', async () => {
    const c = await course(coach);
    const l = await lecture(coach, c.id);
    const base = `/api/coaches/me/courses/${c.id}`;
    const attempts = [
      ['GET', base, undefined],
      ['PATCH', base, { title: 'Mine now' }],
      ['DELETE', base, undefined],
      ['POST', `${base}/lectures`, { title: 'x', videoId: otherCoachVideoId }],
      ['PATCH', `${base}/lectures/${l.id}`, { title: 'Mine now' }],
      ['DELETE', `${base}/lectures/${l.id}`, undefined],
      ['PUT', `${base}/lectures/order`, { lectureIds: [l.id] }],
    ] as const;
    for (const [method, path, body] of attempts) {
      const res = await call(ctx.app, method, path, { token: otherCoach.token, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const stored = await ctx.deps.db.course.findUniqueOrThrow({
      where: { id: c.id },
      include: { lectures: true },
    });
    expect(stored.title).toBe('Batting basics');
    expect(stored.lectures.map((x) => x.title)).toEqual(['Grip']);
  });
});

describe('lectures', () => {
  it('are cut from the coach’s own ready videos, inside the video, and keep positions 1..n', async () => {
    const c = await course(coach);
    const whole = await lecture(coach, c.id, { title: 'Whole video' });
    expect(whole).toMatchObject({ position: 1, durationSeconds: 121 });
    const part = await lecture(coach, c.id, { title: 'Stance', startSeconds: 10, endSeconds: 40 });
    expect(part).toMatchObject({ position: 2, durationSeconds: 30 });
    const third = await lecture(coach, c.id, { title: 'Short', videoId: shortVideoId });
    expect(third).toMatchObject({ position: 3, durationSeconds: 30 });

    const reordered = await call(ctx.app, 'PUT', `/api/coaches/me/courses/${c.id}/lectures/order`, {
      token: coach.token,
      body: { lectureIds: [third.id, whole.id, part.id] },
    });
    expect(reordered.status).toBe(200);
    expect(reordered.body.items.map((l: { id: string; position: number }) => [l.id, l.position])).toEqual([
      [third.id, 1],
      [whole.id, 2],
      [part.id, 3],
    ]);

    const updated = await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}/lectures/${part.id}`, {
      token: coach.token,
      body: { endSeconds: 100 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      startSeconds: 10,
      endSeconds: 100,
      durationSeconds: 90,
      position: 3,
    });

    expect(
      (
        await call(ctx.app, 'DELETE', `/api/coaches/me/courses/${c.id}/lectures/${third.id}`, {
          token: coach.token,
        })
      ).status,
    ).toBe(204);
    const after = await call(ctx.app, 'GET', `/api/coaches/me/courses/${c.id}`, { token: coach.token });
    expect(after.body.lectures.map((l: { id: string; position: number }) => [l.id, l.position])).toEqual([
      [whole.id, 1],
      [part.id, 2],
    ]);
    expect(after.body.totalDurationSeconds).toBe(121 + 90);
  });

  it('added concurrently still get distinct positions 1..n', async () => {
    const c = await course(coach);
    const added = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call(ctx.app, 'POST', `/api/coaches/me/courses/${c.id}/lectures`, {
          token: coach.token,
          body: { title: `Part ${i}`, videoId },
        }),
      ),
    );
    expect(added.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(added.map((r) => r.body.position as number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses another coach’s video, a video not ready, a missing one and ranges outside the video', async () => {
    const c = await course(coach);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ videoId: otherCoachVideoId }, 'videoId', 'is not one of your videos'],
      [{ videoId: crypto.randomUUID() }, 'videoId', 'is not one of your videos'],
      [{ videoId: processingVideoId }, 'videoId', 'is not ready yet'],
      [{ startSeconds: 121 }, 'startSeconds', 'below the video'],
      [{ endSeconds: 122 }, 'endSeconds', 'from 1 to the video'],
      [{ startSeconds: 50, endSeconds: 40 }, 'endSeconds', 'greater than startSeconds'],
      [{ startSeconds: 1.5 }, 'startSeconds', 'whole number'],
      [{ endSeconds: 1e300 }, 'endSeconds', ''],
      [{ videoId: 'not-a-uuid' }, 'videoId', ''],
    ];
    for (const [body, field, reason] of cases) {
      const res = await call(ctx.app, 'POST', `/api/coaches/me/courses/${c.id}/lectures`, {
        token: coach.token,
        body: { title: 'Bad', videoId, ...body },
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = res.body.error.details.find((d: { field: string }) => d.field === field);
      expect(problem, JSON.stringify(res.body)).toBeDefined();
      expect(problem.reason).toContain(reason);
    }
    expect(await ctx.deps.db.lecture.count({ where: { courseId: c.id } })).toBe(0);
  });

  it('a reorder must name every lecture once', async () => {
    const c = await course(coach);
    const a = await lecture(coach, c.id);
    const b = await lecture(coach, c.id);
    const res = await call(ctx.app, 'PUT', `/api/coaches/me/courses/${c.id}/lectures/order`, {
      token: coach.token,
      body: { lectureIds: [a.id, a.id] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'lectureIds.1', reason: 'appears more than once' }]);
    const stored = await ctx.deps.db.lecture.findMany({
      where: { courseId: c.id },
      orderBy: { position: 'asc' },
    });
    expect(stored.map((l) => l.id)).toEqual([a.id, b.id]);
  });
});

describe('bad input', () => {
  it.each([
    [{ slug: 'Bad Slug' }, 'slug'],
    [{ slug: 'ab' }, 'slug'],
    [{ slug: 'a--b' }, 'slug'],
    [{ title: 'Bad\u0000title' }, 'title'],
    [{ title: '' }, 'title'],
    [{ accessType: 'paid' }, 'accessType'],
    [{ accessType: 'paid_per_minute', pricePerMinuteMinor: 0 }, 'pricePerMinuteMinor'],
    [{ accessType: 'paid_per_minute', pricePerMinuteMinor: 1e20 }, 'pricePerMinuteMinor'],
    [{ accessType: 'paid_per_minute', pricePerMinuteMinor: 2.5 }, 'pricePerMinuteMinor'],
    [{ accessType: 'free', pricePerMinuteMinor: 10 }, 'pricePerMinuteMinor'],
    [{ currency: 'XYZ' }, 'currency'],
    [{ currency: 'pounds' }, 'currency'],
    [{ extra: true }, 'extra'],
  ])('%j → 400 naming %s, nothing written', async (patch, field) => {
    const before = await ctx.deps.db.course.count({ where: { coachId: coach.id } });
    const res = await call(ctx.app, 'POST', '/api/coaches/me/courses', {
      token: coach.token,
      body: { slug: slug('bad'), title: 'Bad', accessType: 'free', ...patch },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await ctx.deps.db.course.count({ where: { coachId: coach.id } })).toBe(before);
  });

  it('a slug already used is refused naming the field, on create and on change', async () => {
    const first = await course(coach);
    const again = await call(ctx.app, 'POST', '/api/coaches/me/courses', {
      token: otherCoach.token,
      body: { slug: first.slug, title: 'Copy', accessType: 'free' },
    });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({
      code: 'slug_taken',
      details: [{ field: 'slug', reason: 'is already used by another course' }],
    });
    const second = await course(coach);
    const renamed = await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${second.id}`, {
      token: coach.token,
      body: { slug: first.slug },
    });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error.code).toBe('slug_taken');
  });

  it('bad ids, huge numbers and NUL bytes on the student routes are 4xx naming the field', async () => {
    const c = await publishedCourse();
    const bad = [
      ['GET', `/api/courses/not-a-uuid/lectures/${c.lectureId}/playback`, undefined, 'param.id'],
      [
        'PUT',
        `/api/courses/${c.id}/lectures/${c.lectureId}/progress`,
        { positionSeconds: 1e12 },
        'positionSeconds',
      ],
      [
        'PUT',
        `/api/courses/${c.id}/lectures/${c.lectureId}/progress`,
        { positionSeconds: -1 },
        'positionSeconds',
      ],
      [
        'PUT',
        `/api/courses/${c.id}/lectures/${c.lectureId}/progress`,
        { positionSeconds: '5' },
        'positionSeconds',
      ],
      ['POST', `/api/courses/${c.id}/enroll`, { emailConsent: 'yes\u0000' }, 'emailConsent'],
      ['GET', '/api/courses/BAD%20SLUG', undefined, 'param.slug'],
      ['GET', '/api/me/courses?limit=100000000000000000000', undefined, 'query.limit'],
    ] as const;
    for (const [method, path, body, field] of bad) {
      const res = await call(ctx.app, method, path, { token: student.token, body });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await ctx.deps.db.courseEnrollment.count({ where: { courseId: c.id } })).toBe(0);
  });
});

describe('public pages', () => {
  it('a published course by slug, with no login: lectures, price and coach, no video ids', async () => {
    const c = await course(coach, {
      accessType: 'paid_per_minute',
      pricePerMinuteMinor: 40,
      currency: 'usd',
    });
    await lecture(coach, c.id, { title: 'Grip', startSeconds: 0, endSeconds: 60 });
    await lecture(coach, c.id, { title: 'Stance', videoId: shortVideoId });
    expect((await call(ctx.app, 'GET', `/api/courses/${c.slug}`)).status).toBe(404);
    await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}`, {
      token: coach.token,
      body: { published: true },
    });

    const page = await call(ctx.app, 'GET', `/api/courses/${c.slug}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      id: c.id,
      accessType: 'paid_per_minute',
      pricePerMinuteMinor: 40,
      currency: 'usd',
      totalDurationSeconds: 90,
      coach: { id: coach.id, displayName: `Test coach` },
      lectures: [
        { position: 1, title: 'Grip', durationSeconds: 60 },
        { position: 2, title: 'Stance', durationSeconds: 30 },
      ],
    });
    expect(JSON.stringify(page.body)).not.toContain(videoId);
  });

  it('the coach’s public page lists published courses and they count for Buy', async () => {
    const profileSlug = slug('coach');
    const saved = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: otherCoach.token,
      body: { slug: profileSlug, displayName: 'Other Coach', timeZone: 'Europe/London' },
    });
    expect(saved.status).toBe(200);
    const before = await call(ctx.app, 'GET', `/api/coaches/${profileSlug}`);
    expect(before.body).toMatchObject({ cta: { buy: false }, courses: [] });

    const c = await course(otherCoach, { title: 'Keeping' });
    const keepingVideo = await readyVideo(otherCoach);
    await lecture(otherCoach, c.id, { videoId: keepingVideo });
    const draft = await call(ctx.app, 'GET', `/api/coaches/${profileSlug}`);
    expect(draft.body).toMatchObject({ cta: { buy: false }, courses: [] });

    await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}`, {
      token: otherCoach.token,
      body: { published: true },
    });
    const after = await call(ctx.app, 'GET', `/api/coaches/${profileSlug}`);
    expect(after.status).toBe(200);
    expect(after.body.cta.buy).toBe(true);
    expect(after.body.courses).toEqual([
      expect.objectContaining({
        id: c.id,
        slug: c.slug,
        title: 'Keeping',
        lectureCount: 1,
        totalDurationSeconds: 121,
      }),
    ]);
    const course2 = await call(ctx.app, 'GET', `/api/courses/${c.slug}`);
    expect(course2.body.coach).toEqual({ id: otherCoach.id, slug: profileSlug, displayName: 'Other Coach' });

    // Its only video deleted (the video pipeline removes the row), the course has nothing left to sell.
    await ctx.deps.db.video.delete({ where: { id: keepingVideo } });
    const emptied = await call(ctx.app, 'GET', `/api/coaches/${profileSlug}`);
    expect(emptied.body).toMatchObject({ cta: { buy: false }, courses: [] });
  });
});

describe('enrolment, progress and playback', () => {
  it('a free course: playback only after enrolment, then a presigned URL S3 serves', async () => {
    const c = await publishedCourse();
    const before = await playback(student, c.id, c.lectureId);
    expect(before.status).toBe(403);
    expect(before.body.error.code).toBe('not_enrolled');

    const enrolled = await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: student.token });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ courseId: c.id, emailConsentAt: null });
    const again = await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, {
      token: student.token,
      body: {},
    });
    expect(again.status).toBe(200);
    expect(again.body.enrolledAt).toBe(enrolled.body.enrolledAt);

    const play = await playback(student, c.id, c.lectureId);
    expect(play.status).toBe(200);
    expect(play.body).toMatchObject({ startSeconds: 10, endSeconds: 70, posterUrl: null });
    expect(new Date(play.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(play.body.expiresAt).getTime()).toBeLessThanOrEqual(
      Date.now() + ctx.deps.cfg.S3_PRESIGN_TTL + 5_000,
    );
    expect(play.body.url).toContain('X-Amz-Signature');
    const fetched = await fetch(play.body.url);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe(RENDITION_BYTES);

    // Someone else is still not entitled; nor is anyone without a token.
    expect((await playback(stranger, c.id, c.lectureId)).status).toBe(403);
    expect((await call(ctx.app, 'GET', `/api/courses/${c.id}/lectures/${c.lectureId}/playback`)).status).toBe(
      401,
    );
    // A lecture of another course through this course's path is not found.
    const other = await publishedCourse();
    expect((await playback(student, c.id, other.lectureId)).status).toBe(404);
  });

  it('progress is monotonic, refused past the lecture’s end, and listed in /api/me/courses', async () => {
    const c = await publishedCourse();
    const put = (user: TestUser, body: Record<string, unknown>) =>
      call(ctx.app, 'PUT', `/api/courses/${c.id}/lectures/${c.lectureId}/progress`, {
        token: user.token,
        body,
      });
    expect((await put(student, { positionSeconds: 5 })).status).toBe(403);
    await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: student.token });

    expect((await put(student, { positionSeconds: 30 })).body).toMatchObject({
      positionSeconds: 30,
      completed: false,
    });
    // A late, smaller report changes nothing.
    expect((await put(student, { positionSeconds: 12 })).body).toMatchObject({
      positionSeconds: 30,
      completed: false,
    });
    const tooFar = await put(student, { positionSeconds: 61 });
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.error.details[0].field).toBe('positionSeconds');
    // Reaching the end (60 s lecture) completes it; completion then stays.
    const done = await put(student, { positionSeconds: 60 });
    expect(done.body).toMatchObject({ positionSeconds: 60, completed: true });
    const stays = await put(student, { positionSeconds: 1, completed: false });
    expect(stays.body).toMatchObject({
      positionSeconds: 60,
      completed: true,
      completedAt: done.body.completedAt,
    });

    const mine = await call(ctx.app, 'GET', '/api/me/courses?limit=100', { token: student.token });
    expect(mine.status).toBe(200);
    const entry = mine.body.items.find((i: { course: { id: string } }) => i.course.id === c.id);
    expect(entry).toMatchObject({
      completedLectures: 1,
      progress: [{ lectureId: c.lectureId, positionSeconds: 60, completed: true }],
    });
    expect(mine.body.items.every((i: { course: { id: string } }) => i.course.id)).toBe(true);
    const strangers = await call(ctx.app, 'GET', '/api/me/courses', { token: stranger.token });
    expect(strangers.body.items.some((i: { course: { id: string } }) => i.course.id === c.id)).toBe(false);
  });

  it('an email-gated course records the caller’s consent', async () => {
    const c = await publishedCourse({ accessType: 'email_gate' });
    const without = await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, {
      token: student.token,
      body: {},
    });
    expect(without.status).toBe(400);
    expect(without.body.error.details[0].field).toBe('emailConsent');
    expect(await ctx.deps.db.courseEnrollment.count({ where: { courseId: c.id } })).toBe(0);

    const withConsent = await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, {
      token: student.token,
      body: { emailConsent: true },
    });
    expect(withConsent.status).toBe(201);
    expect(withConsent.body.emailConsentAt).toEqual(expect.any(String));
    const row = await ctx.deps.db.courseEnrollment.findUniqueOrThrow({
      where: { courseId_userId: { courseId: c.id, userId: student.id } },
    });
    expect(row.consentEmail).toBe(student.email);
    expect((await playback(student, c.id, c.lectureId)).status).toBe(200);
  });

  it('a membership course: a paid plan enrols, and access ends when the plan lapses', async () => {
    const c = await publishedCourse({ accessType: 'membership' });
    const free = await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: stranger.token });
    expect(free.status).toBe(403);
    expect(free.body.error.code).toBe('membership_required');

    expect((await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: member.token })).status).toBe(
      201,
    );
    expect((await playback(member, c.id, c.lectureId)).status).toBe(200);
    // The subscription ends (the plan in effect goes back to free): the next URL is refused.
    await ctx.deps.db.user.update({ where: { id: member.id }, data: { role: 'free' } });
    try {
      const lapsed = await playback(member, c.id, c.lectureId);
      expect(lapsed.status).toBe(403);
      expect(lapsed.body.error.code).toBe('membership_required');
    } finally {
      await ctx.deps.db.user.update({ where: { id: member.id }, data: { role: 'player_pro' } });
    }
  });

  it('a paid course takes no enrolment and plays only inside a paid session', async () => {
    const c = await publishedCourse({
      accessType: 'paid_per_minute',
      pricePerMinuteMinor: 30,
      currency: 'gbp',
    });
    const enrol = await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: student.token });
    expect(enrol.status).toBe(409);
    expect(enrol.body.error.code).toBe('paid_course');
    const play = await playback(student, c.id, c.lectureId);
    expect(play.status).toBe(403);
    expect(play.body.error.code).toBe('paid_session_required');
  });

  it('unpublishing hides the course from enrolled students at once; its coach still previews', async () => {
    const c = await publishedCourse();
    await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: student.token });
    expect((await playback(student, c.id, c.lectureId)).status).toBe(200);
    await call(ctx.app, 'PATCH', `/api/coaches/me/courses/${c.id}`, {
      token: coach.token,
      body: { published: false },
    });
    expect((await playback(student, c.id, c.lectureId)).status).toBe(404);
    expect((await call(ctx.app, 'GET', `/api/courses/${c.slug}`)).status).toBe(404);
    const listed = await call(ctx.app, 'GET', '/api/me/courses?limit=100', { token: student.token });
    expect(listed.body.items.some((i: { course: { id: string } }) => i.course.id === c.id)).toBe(false);
    expect((await playback(coach, c.id, c.lectureId)).status).toBe(200);
    // Another coach is a stranger here like anyone else.
    expect((await playback(otherCoach, c.id, c.lectureId)).status).toBe(404);
  });

  it('a deleted video is no longer played', async () => {
    const c = await publishedCourse();
    await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: student.token });
    const lectureVideo = await readyVideo(coach);
    const l = await lecture(coach, c.id, { videoId: lectureVideo });
    await ctx.deps.db.video.update({ where: { id: lectureVideo }, data: { deletedAt: new Date() } });
    const res = await playback(student, c.id, l.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('video_unavailable');
  });

  it('a course a paid session was sold for is not deleted: 409, unpublish instead', async () => {
    const c = await publishedCourse({
      accessType: 'paid_per_minute',
      pricePerMinuteMinor: 20,
      currency: 'gbp',
    });
    // The row the paid-sessions feature writes when a student locks funds (test setup).
    await ctx.deps.db.paidSession.create({
      data: {
        studentId: student.id,
        coachId: coach.id,
        courseId: c.id,
        lockedMinor: 500,
        currency: 'gbp',
        pricePerMinuteMinor: 20,
        lecturePositions: [1],
        contentProgress: {},
      },
    });
    const res = await call(ctx.app, 'DELETE', `/api/coaches/me/courses/${c.id}`, { token: coach.token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('course_in_use');
    expect(await ctx.deps.db.lecture.count({ where: { courseId: c.id } })).toBe(1);
  });

  it('deleting a course takes its enrolments and progress with it', async () => {
    const c = await publishedCourse();
    await call(ctx.app, 'POST', `/api/courses/${c.id}/enroll`, { token: student.token });
    await call(ctx.app, 'PUT', `/api/courses/${c.id}/lectures/${c.lectureId}/progress`, {
      token: student.token,
      body: { positionSeconds: 3 },
    });
    expect(
      (await call(ctx.app, 'DELETE', `/api/coaches/me/courses/${c.id}`, { token: coach.token })).status,
    ).toBe(204);
    expect(await ctx.deps.db.courseEnrollment.count({ where: { courseId: c.id } })).toBe(0);
    expect(await ctx.deps.db.lectureProgress.count({ where: { courseId: c.id } })).toBe(0);
  });
});

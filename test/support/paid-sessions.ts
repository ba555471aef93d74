import { randomUUID } from 'node:crypto';
import type { App } from '../../src/api/app';
import type { Deps } from '../../src/infra/deps';
import { call } from './harness';
import { postStripeEvent } from './bookings';
import { createUser, type TestUser } from './users';

// Fixtures for paid-session tests: a coach with a published pay-per-minute course whose lectures cut
// a ready video of the coach's (rows written directly: transcoding a real video is the video tests'
// business, and the paid session only needs the course and its lecture positions).

export interface PaidCourse {
  coach: TestUser;
  courseId: string;
  pricePerMinute: number;
  currency: string;
  lectures: { id: string; position: number; title: string }[];
}

export async function createPaidCourse(
  app: App,
  deps: Deps,
  opts: { pricePerMinute?: number; currency?: string } = {},
): Promise<PaidCourse> {
  const coach = await createUser(app, deps, 'coach_pro', 'coach');
  const session = await deps.db.videoSession.create({
    data: { coachId: coach.id, title: 'Course footage', status: 'ready' },
  });
  const video = await deps.db.video.create({
    data: {
      sessionId: session.id,
      coachId: coach.id,
      filename: 'course.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1_000_000n,
      sourceKey: `videos/${randomUUID()}/source.mp4`,
      partSize: 5_242_880,
      partCount: 1,
      uploadExpiresAt: new Date(Date.now() + 3_600_000),
      status: 'ready',
      stage: 'ready',
      durationSeconds: 600,
      renditions: [
        {
          label: '720p',
          key: `videos/${randomUUID()}/720p.mp4`,
          width: 1280,
          height: 720,
          bytes: 1,
          videoKbps: 2500,
          audioKbps: 128,
        },
      ],
    },
  });
  const pricePerMinute = opts.pricePerMinute ?? 60;
  const currency = opts.currency ?? 'gbp';
  const course = await deps.db.course.create({
    data: {
      coachId: coach.id,
      slug: `paid-${randomUUID().slice(0, 8)}`,
      title: 'Batting fundamentals',
      accessType: 'paid_per_minute',
      pricePerMinuteMinor: pricePerMinute,
      currency,
      published: true,
      publishedAt: new Date(),
      lectures: {
        create: [
          {
            position: 1,
            title: 'Grip',
            durationSeconds: 300,
            videoId: video.id,
            startSeconds: 0,
            endSeconds: 300,
          },
          {
            position: 2,
            title: 'Stance',
            durationSeconds: 300,
            videoId: video.id,
            startSeconds: 300,
            endSeconds: 600,
          },
        ],
      },
    },
    include: { lectures: { orderBy: { position: 'asc' } } },
  });
  return {
    coach,
    courseId: course.id,
    pricePerMinute,
    currency,
    lectures: course.lectures.map((l) => ({ id: l.id, position: l.position, title: l.title })),
  };
}

/** A signed payment_intent.amount_capturable_updated: the card now holds `amount`. */
export function capturableEvent(s: {
  id: string;
  paymentIntentId: string;
  amount: number;
  currency: string;
}) {
  return {
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'payment_intent.amount_capturable_updated',
    data: {
      object: {
        id: s.paymentIntentId,
        object: 'payment_intent',
        amount: s.amount,
        amount_capturable: s.amount,
        amount_received: 0,
        capture_method: 'manual',
        currency: s.currency,
        status: 'requires_capture',
        metadata: { kind: 'paid_session', paidSessionId: s.id },
      },
    },
  };
}

/** Creates a session, authorises its card by webhook and starts it; returns the session body. */
export async function openActiveSession(
  app: App,
  deps: Deps,
  student: TestUser,
  course: PaidCourse,
  lockedAmount: number,
) {
  const created = await call(app, 'POST', '/api/sessions/create', {
    token: student.token,
    body: { course_id: course.courseId, locked_amount: lockedAmount },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const s = created.body.session;
  const hook = await postStripeEvent(
    app,
    deps,
    capturableEvent({
      id: s.id,
      paymentIntentId: s.payment.payment_intent_id,
      amount: lockedAmount,
      currency: s.currency,
    }),
  );
  if (hook.status !== 200) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
  // The workflow applies the authorisation from its signal; the start waits for it.
  for (let i = 0; ; i++) {
    const started = await call(app, 'POST', `/api/sessions/${s.id}/start`, { token: student.token });
    if (started.status === 200) return started.body.session;
    if (i > 50 || started.status !== 409)
      throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

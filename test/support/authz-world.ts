import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../src/domain/subscriptions/plans';
import type { App } from '../../src/api/app';
import type { Deps } from '../../src/infra/deps';
import {
  createCoach,
  paymentIntentEvent,
  postStripeEvent,
  slotsFor,
  waitUntil,
  type TestCoach,
} from './bookings';
import { call, uniqueEmail } from './harness';
import { capturableEvent } from './paid-sessions';
import { createUser, type TestUser } from './users';

// The world the authorization matrix (test/api/authz-matrix.test.ts) probes: one coach with every
// kind of resource, one org, a victim athlete tied to both, and per role two attackers — a stranger
// with no tie, and one who made every relationship a user can make on their own (accepted the
// coach's roster invite, joined the org, bought the coach's product, booked the coach's service,
// enrolled in the coach's free course, started a paid session on the coach's paid course, invited the
// victim to a roster and an org of their own, where their role may).

/** The resources an athlete gets by relating to the coach and the org. */
export interface Party {
  user: TestUser;
  purchaseId: string;
  paymentIntentId: string;
  /** The package's credit for the coach's service. */
  creditId: string;
  bookingId: string;
  paidSessionId: string;
  /**
   * A course and a video session of the athlete's own (rows; whether their role may use them is the
   * routes' business): the matrix pairs them with the coach's lecture or video to try and reach
   * those through a parent the caller owns.
   */
  ownCourseId: string;
  ownVideoSessionId: string;
}

export interface AuthzWorld {
  coach: TestCoach;
  serviceId: string;
  windowId: string;
  blackoutId: string;
  productId: string;
  /** An open slot of the coach's service no party booked. */
  spareSlot: string;
  freeCourse: { id: string; slug: string; lectureId: string };
  /** Pay per minute; every party watches it in an active paid session. */
  paidCourse: { id: string; slug: string; lectureId: string };
  /** The coach's other pay-per-minute course, which no one has a session of. */
  otherPaidCourse: { id: string; slug: string; lectureId: string };
  video: { sessionId: string; videoId: string; clipId: string; annotationId: string };
  orgOwner: TestUser;
  orgId: string;
  /** A pending invitation of the org (to an address with no account). */
  orgInvitationId: string;
  /** The athlete whose data everyone else probes: related like the attackers, plus media shared with them. */
  victim: Party;
  strangers: Record<Role, TestUser>;
  related: Record<Role, Party>;
}

function must(res: { status: number; body: unknown }, what: string, ok: number[] = [200, 201]) {
  if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as any;
}

/** A ready video of the coach's (rows a finished pipeline leaves; the matrix needs no transcoding). */
async function readyVideo(deps: Deps, coachId: string, sessionId: string) {
  return deps.db.video.create({
    data: {
      sessionId,
      coachId,
      filename: 'nets.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1000n,
      sourceKey: `videos/${randomUUID()}/source.mp4`,
      partSize: 8 * 1024 * 1024,
      partCount: 1,
      uploadExpiresAt: new Date(Date.now() + 86_400_000),
      status: 'ready',
      stage: 'ready',
      durationSeconds: 600,
      readyAt: new Date(),
      renditions: [
        {
          label: '360p',
          key: `videos/${randomUUID()}/360p.mp4`,
          width: 640,
          height: 360,
          bytes: 1,
          videoKbps: 800,
          audioKbps: 96,
        },
      ],
    },
  });
}

async function publishedCourse(
  deps: Deps,
  coachId: string,
  videoId: string,
  access: { accessType: 'free' | 'paid_per_minute'; pricePerMinuteMinor: number; currency: string },
) {
  const course = await deps.db.course.create({
    data: {
      coachId,
      slug: `authz-${access.accessType.replaceAll('_', '-')}-${randomUUID().slice(0, 8)}`,
      title: `A ${access.accessType} course`,
      ...access,
      published: true,
      publishedAt: new Date(),
      lectures: {
        create: [
          { position: 1, title: 'Grip', durationSeconds: 300, videoId, startSeconds: 0, endSeconds: 300 },
        ],
      },
    },
    include: { lectures: true },
  });
  return { id: course.id, slug: course.slug, lectureId: course.lectures[0]!.id };
}

export async function buildAuthzWorld(app: App, deps: Deps): Promise<AuthzWorld> {
  // The coach: bookings (createCoach), products, courses and video (Coach Pro Plus).
  const coach = await createCoach(app, deps);
  await deps.db.user.update({ where: { id: coach.user.id }, data: { role: 'coach_pro_plus' } });
  coach.user.role = 'coach_pro_plus';
  const token = coach.user.token;
  must(
    await call(app, 'PUT', '/api/coaches/me/profile', {
      token,
      body: {
        slug: coach.slug,
        displayName: 'Matrix coach',
        timeZone: 'Europe/London',
        bookingEnabled: true,
        productsEnabled: true,
      },
    }),
    'profile',
  );
  const windows = must(await call(app, 'GET', '/api/availability/windows', { token }), 'windows');
  const blackout = must(
    await call(app, 'POST', '/api/availability/blackouts', {
      token,
      body: {
        start: new Date(Date.now() + 40 * 86_400_000).toISOString(),
        end: new Date(Date.now() + 41 * 86_400_000).toISOString(),
        reason: 'Holiday',
      },
    }),
    'blackout',
  );
  const product = must(
    await call(app, 'POST', '/api/coaches/me/products', {
      token,
      // A package: each buyer also holds a credit for the coach's service.
      body: {
        title: 'Plan',
        priceMinor: 1000,
        currency: 'USD',
        type: 'PACKAGE',
        credits: { serviceId: coach.service.id, count: 3, expiryDays: 30 },
      },
    }),
    'product',
  );
  const session = await deps.db.videoSession.create({
    data: { coachId: coach.user.id, title: 'Nets', status: 'ready' },
  });
  const videoRow = await readyVideo(deps, coach.user.id, session.id);
  const freeCourse = await publishedCourse(deps, coach.user.id, videoRow.id, {
    accessType: 'free',
    pricePerMinuteMinor: 0,
    currency: 'gbp',
  });
  const otherPaidCourse = await publishedCourse(deps, coach.user.id, videoRow.id, {
    accessType: 'paid_per_minute',
    pricePerMinuteMinor: 60,
    currency: 'gbp',
  });
  const paidCourse = await publishedCourse(deps, coach.user.id, videoRow.id, {
    accessType: 'paid_per_minute',
    pricePerMinuteMinor: 60,
    currency: 'gbp',
  });

  const orgOwner = await createUser(app, deps, 'org_pro', 'org-owner');
  const org = must(
    await call(app, 'POST', '/api/orgs', { token: orgOwner.token, body: { name: 'Matrix United' } }),
    'org',
  );
  const pending = await call(app, 'POST', `/api/orgs/${org.id}/members`, {
    token: orgOwner.token,
    body: { email: uniqueEmail('org-invitee'), role: 'coach' },
  });
  const orgInvitationId = pending.headers.get('location')!.split('/').pop()!;

  // Each party books its own slot: hand them out in order, one slot apiece.
  const slots = (
    await slotsFor(app, coach.service.id, { to: new Date(Date.now() + 2 * 86_400_000).toISOString() })
  ).filter((s) => Date.parse(s.start) >= Date.now() + 60 * 60_000);
  let nextSlot = 0;
  const spareSlot = slots.at(-1)!.start;

  /** Makes every relationship an athlete can make with the coach and the org. */
  async function relate(user: TestUser): Promise<Party> {
    must(
      await call(app, 'POST', '/api/coaches/me/players', { token, body: { email: user.email } }),
      'roster invite',
    );
    must(await call(app, 'POST', `/api/me/coaches/${coach.user.id}/accept`, { token: user.token }), 'roster');
    must(
      await call(app, 'POST', `/api/orgs/${org.id}/members`, {
        token: orgOwner.token,
        body: { email: user.email, role: 'player' },
      }),
      'org invite',
    );
    must(await call(app, 'POST', `/api/me/orgs/${org.id}/accept`, { token: user.token }), 'org accept');
    const started = must(
      await call(app, 'POST', `/api/checkout/products/${product.id}`, { token: user.token }),
      'checkout',
    ).purchase;
    // Under load the checkout may answer before its PaymentIntent exists ('waiting'); the row gets it.
    const { paymentIntentId } = await waitUntil(
      `purchase ${started.id} to have its PaymentIntent`,
      () => deps.db.purchase.findUniqueOrThrow({ where: { id: started.id } }),
      (p) => p.paymentIntentId !== null,
    );
    const paid = paymentIntentEvent('payment_intent.succeeded', {
      id: started.id,
      paymentIntentId: paymentIntentId!,
      amountMinor: started.price.amountMinor,
      currency: started.price.currency,
    });
    paid.data.object.metadata = { kind: 'purchase', purchaseId: started.id } as never;
    must(await postStripeEvent(app, deps, paid), 'purchase paid');
    const slot = slots[nextSlot++];
    if (!slot) throw new Error('no open slot left for a party');
    const booked = must(
      await call(app, 'POST', '/api/bookings', {
        token: user.token,
        body: { serviceId: coach.service.id, start: slot.start },
      }),
      'booking',
    );
    must(
      await call(app, 'POST', `/api/courses/${freeCourse.id}/enroll`, { token: user.token, body: {} }),
      'enrol',
    );
    const paidSession = must(
      await call(app, 'POST', '/api/sessions/create', {
        token: user.token,
        body: { course_id: paidCourse.id, locked_amount: 1000 },
      }),
      'paid session',
    ).session;
    // Started: the card authorises the lock (Stripe's event), then the student starts watching.
    const { paymentIntentId: sessionIntent } = await waitUntil(
      `paid session ${paidSession.id} to have its PaymentIntent`,
      () => deps.db.paidSession.findUniqueOrThrow({ where: { id: paidSession.id } }),
      (p) => p.paymentIntentId !== null,
    );
    must(
      await postStripeEvent(
        app,
        deps,
        capturableEvent({
          id: paidSession.id,
          paymentIntentId: sessionIntent!,
          amount: 1000,
          currency: 'gbp',
        }),
      ),
      'paid session authorised',
    );
    // 409 until the workflow has applied the authorisation from its signal.
    const start = await waitUntil(
      `paid session ${paidSession.id} to start`,
      () => call(app, 'POST', `/api/sessions/${paidSession.id}/start`, { token: user.token }),
      (r) => r.status !== 409,
    );
    must(start, 'start');
    const credit = await waitUntil(
      `purchase ${started.id} paid, its credit granted`,
      () => deps.db.creditGrant.findFirst({ where: { purchaseId: started.id } }),
      (g) => g !== null,
    );
    const ownCourse = await deps.db.course.create({
      data: {
        coachId: user.id,
        slug: `authz-own-${randomUUID().slice(0, 8)}`,
        title: 'My course',
        accessType: 'free',
        pricePerMinuteMinor: 0,
        currency: 'gbp',
      },
    });
    const ownSession = await deps.db.videoSession.create({ data: { coachId: user.id, title: 'Mine' } });
    return {
      user,
      ownCourseId: ownCourse.id,
      ownVideoSessionId: ownSession.id,
      purchaseId: started.id,
      paymentIntentId: paymentIntentId!,
      creditId: credit!.id,
      bookingId: booked.booking.id,
      paidSessionId: paidSession.id,
    };
  }

  const victim = await relate(await createUser(app, deps, 'player_pro', 'victim'));
  // Media shared with the victim only: a roster place alone must not reach it.
  await deps.db.videoSession.update({ where: { id: session.id }, data: { playerIds: [victim.user.id] } });
  const clip = await deps.db.clip.create({
    data: {
      videoId: videoRow.id,
      sessionId: session.id,
      coachId: coach.user.id,
      title: 'Drive',
      momentType: 'highlight',
      startSeconds: 0,
      endSeconds: 1,
      playerIds: [victim.user.id],
      status: 'ready',
      key: `clips/${randomUUID()}/clip.mp4`,
      readyAt: new Date(),
    },
  });
  const annotation = await deps.db.videoAnnotation.create({
    data: { videoId: videoRow.id, authorId: coach.user.id, kind: 'note', atSeconds: 1, text: 'Head still' },
  });

  const strangers = Object.fromEntries(
    await Promise.all(ROLES.map(async (r) => [r, await createUser(app, deps, r, `stranger-${r}`)] as const)),
  ) as Record<Role, TestUser>;
  const relatedUsers = await Promise.all(ROLES.map((r) => createUser(app, deps, r, `related-${r}`)));
  const parties = await Promise.all(relatedUsers.map(relate));
  const related = Object.fromEntries(ROLES.map((r, i) => [r, parties[i]!])) as Record<Role, Party>;
  // What a caller can do to the victim on their own: invite them to a roster and to an org of their
  // own. Unanswered invitations must give no reach (roles that may not invite are simply refused).
  await Promise.all(
    parties.map(async ({ user }) => {
      await call(app, 'POST', '/api/coaches/me/players', {
        token: user.token,
        body: { email: victim.user.email },
      });
      const own = await call(app, 'POST', '/api/orgs', { token: user.token, body: { name: 'Mine' } });
      if (own.status === 201)
        must(
          await call(app, 'POST', `/api/orgs/${own.body.id}/members`, {
            token: user.token,
            body: { email: victim.user.email, role: 'player' },
          }),
          'invite the victim',
        );
    }),
  );

  return {
    coach,
    serviceId: coach.service.id,
    windowId: windows.windows[0].id,
    blackoutId: blackout.id,
    productId: product.id,
    spareSlot,
    freeCourse,
    paidCourse,
    otherPaidCourse,
    video: { sessionId: session.id, videoId: videoRow.id, clipId: clip.id, annotationId: annotation.id },
    orgOwner,
    orgId: org.id,
    orgInvitationId,
    victim,
    strangers,
    related,
  };
}

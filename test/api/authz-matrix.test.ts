// Over 400 lines on purpose: the whole route × role × relationship table lives in one place, so a
// new route that is not classified fails here, and a reviewer reads every expectation side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasFeature, ROLES, type FeatureFlag, type Role } from '../../src/domain/subscriptions/plans';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { buildAuthzWorld, type AuthzWorld, type Party } from '../support/authz-world';

// The authorization matrix (issue 14 #5): every route in the OpenAPI document × every subject
// (anonymous and each role) × the relationship between the caller and the resource:
//
// - own:     the caller's own resource (for coach resources: the coach, a Coach Pro Plus; for org
//            admin resources: the org's owner, an Org Pro; for what an athlete gets by relating —
//            purchase, booking, paid session, roster place, membership, enrolment — every role's
//            related user, so every role has an own cell there);
// - foreign: someone else's resource, called by a user of that role with no tie to it;
// - related: someone else's resource reachable through relationships the caller made on their own:
//            on the coach's roster, member of the org, bought the coach's package (and so holds a
//            credit), booked the coach's service, enrolled in the coach's free course, started a paid
//            session (card authorised, watching) on one paid course, and invited the victim to a
//            roster and an org of their own where their role may. The victim athlete related the same
//            way; a related caller must not reach the victim's purchase, credit, booking, session,
//            account or shared media, nor the lectures of the coach's other paid course. Where a route
//            has a child id, the related caller also names the coach's child under a parent of their
//            own (their own video session or course, the courses they may watch).
// - counterpart (a few extra cells): the victim's coach, the org owner, and the victim on media
//            shared with them must reach what the relationship gives them — so the denials are not a
//            door shut on everyone.
//
// Kinds of route: PUBLIC (no token); SELF (no foreign id: acts on the caller; checked for reach,
// for what the caller must see of their own, and that no one else's secrets are in the answer);
// PARTY (an athlete's resource); COACH (the coach's resource); ORG (the org admin's resource).
// Every answer to a caller who is not the owner, the coach, the org owner or an operator is also
// searched for anyone else's secrets (purchase, payment intent, credit, booking and session ids,
// account ids and emails, the victim's shared clip and annotation), so a 200 that says too much
// fails too. Denied and read-only calls run first, in parallel, and must change nothing in the
// database; allowed changes run after, route by route, removals last.
// AUTHZ_MATRIX_FULL=1 prints the whole table.

type Rel = 'own' | 'foreign' | 'related' | 'also' | 'counterpart';
/** The other side of the victim's relationships: their coach, their org's owner, the victim on media shared with them. */
type Counterpart = 'coach' | 'orgOwner' | 'victim';
type Kind = 'public' | 'self' | 'party' | 'coach' | 'org';
/**
 * allow: 2xx, or 409 (let in, refused for the resource's state); deny: 403/404 (401 for anonymous);
 * refuse: a 4xx business refusal other than 401 (e.g. buying your own product); reach: not 401, no 5xx;
 * gated: 403 because the caller's plan lacks the route's feature (or role).
 * Every 4xx must be in the error shape, and nothing answers 5xx.
 */
type Outcome = 'allow' | 'deny' | 'refuse' | 'reach' | 'gated' | 'n/a';
interface Scope {
  w: AuthzWorld;
  rel: Rel;
  role: Role;
  /** The athlete whose resource is targeted: the caller's own party for `own`, else the victim. */
  party: Party;
  /** The related caller's own party (for `own` and `related`). */
  me: Party;
  route: string;
}
interface Spec {
  kind: Kind;
  /** Values for the path's {params} (and the query, for the few routes that need one). */
  ids?: (s: Scope) => Record<string, string>;
  query?: (s: Scope) => string;
  body?: (s: Scope) => unknown;
  own?: Outcome;
  foreign?: Outcome;
  related?: Outcome;
  /** SELF: the plan feature (or the roles) the route needs; every other role is gated. */
  gate?: FeatureFlag | Role[];
  /** What an anonymous caller gets (default: deny, or reach for PUBLIC). */
  anonymous?: Outcome;
  /** Roles allowed whatever the relationship (operators). */
  operators?: Role[];
  /** The allowed call removes the resource: run after everything else, operators' copies skipped. */
  destroys?: boolean;
  /**
   * The related cell names the resource under a parent of the caller's own when the route has this
   * parameter: a mismatch every caller, operators included, must be denied.
   */
  mixesUnder?: string;
  /** SELF: what the related caller must find of their own in the answer. */
  sees?: (s: Scope) => string[];
  /** The answer shows other members' addresses by design (an org's member list, to its members). */
  showsMembers?: boolean;
  /** What the caller gave (a path id, an invited address) and so may get back. */
  echoes?: (s: Scope) => string[];
  /**
   * Who reaches the victim's resource (or sees it listed) through their side of a relationship, and
   * what they must find: proves the denials above are not a door shut on everyone.
   */
  counterparts?: { who: Counterpart; sees: (s: Scope) => string[] }[];
  /** More related probes per role, on other targets (expected as the related cell). */
  also?: (s: Scope) => Record<string, string>[];
}

const ALL_OPS: Role[] = ['superuser'];
const S = (extra: Partial<Spec> = {}): Spec => ({ kind: 'self', ...extra });
const PUB: Spec = { kind: 'public' };
const coachIds = (s: Scope) => ({
  id: s.w.serviceId,
  slug: s.w.coach.slug,
  playerId: s.w.victim.user.id,
});
/**
 * The coach's session, video, clip and annotation. The related caller names the coach's video under
 * a session of their own (a parent they may act on), so the child's own check is what is probed.
 */
const video = (s: Scope) => ({
  id: s.rel === 'related' && s.route.includes(UNDER_OWN) ? s.me.ownVideoSessionId : s.w.video.sessionId,
  videoId: s.w.video.videoId,
  clipId: s.w.video.clipId,
  annotationId: s.w.video.annotationId,
});
const UNDER_OWN = '/sessions/{id}/videos/{videoId}';
const V = (extra: Partial<Spec> = {}): Spec => ({
  kind: 'coach',
  ids: video,
  operators: ALL_OPS,
  mixesUnder: UNDER_OWN,
  ...extra,
});
const C = (ids: (s: Scope) => Record<string, string>, extra: Partial<Spec> = {}): Spec => ({
  kind: 'coach',
  ids,
  ...extra,
});
/** The coach's free course; the related caller names its lecture under a course of their own. */
const course = (s: Scope) => ({
  id: s.rel === 'related' && s.route.includes('lecture') ? s.me.ownCourseId : s.w.freeCourse.id,
  lectureId: s.w.freeCourse.lectureId,
});
/**
 * Own: the free course the caller enrolled in. Foreign: the paid course (the stranger has no session
 * of it). Related: the coach's other paid course (the caller's active session is of the first).
 */
const lectureOf = (s: Scope) => {
  const c = s.rel === 'own' ? s.w.freeCourse : s.rel === 'foreign' ? s.w.paidCourse : s.w.otherPaidCourse;
  return { id: c.id, lectureId: c.lectureId };
};
/** The other paid course's lecture named under each course the related caller may watch. */
const otherLectureUnder = (s: Scope) => [
  { id: s.w.freeCourse.id, lectureId: s.w.otherPaidCourse.lectureId },
  { id: s.w.paidCourse.id, lectureId: s.w.otherPaidCourse.lectureId },
];
const booking = (s: Scope) => ({ id: s.party.bookingId });
const session = (s: Scope) => ({ id: s.party.paidSessionId, position: '1' });
const org = (s: Scope) => ({
  id: s.w.orgId,
  orgId: s.w.orgId,
  invitationId: s.w.orgInvitationId,
  userId: s.w.victim.user.id,
});
const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const MATRIX: Record<string, Spec> = {
  'GET /health': PUB,
  'GET /ready': PUB,
  'POST /api/auth/register': PUB,
  'POST /api/auth/login': PUB,
  'POST /api/auth/refresh': PUB,
  // Signed by Stripe instead of a token: unsigned requests get 400 (test/api/bookings.test.ts).
  'POST /api/webhooks/stripe': PUB,
  'GET /api/coaches/{slug}': { kind: 'public', ids: coachIds },
  'GET /api/coaches/{slug}/services': { kind: 'public', ids: coachIds },
  'GET /api/availability/slots': { kind: 'public', query: (s) => `serviceId=${s.w.serviceId}` },
  'GET /api/courses/{slug}': { kind: 'public', ids: (s) => ({ slug: s.w.paidCourse.slug }) },
  'GET /api/plans': PUB,

  // The caller's own account, roster links, orgs, profile, offerings, availability, lists.
  'GET /api/me': S({ sees: (s) => [s.party.user.email] }),
  'GET /api/me/entitlements': S(),
  'POST /api/coaches/me/players': S({
    gate: 'player_assignment',
    body: () => ({ email: uniqueEmail('invitee') }),
  }),
  // The victim, invited by every caller whose role may (not answered): their address, not their id.
  'GET /api/coaches/me/players': S({
    gate: 'player_assignment',
    echoes: (s) => [s.w.victim.user.email],
    counterparts: [{ who: 'coach', sees: (s) => [s.w.victim.user.id] }],
  }),
  'GET /api/me/coaches': S({ sees: (s) => [s.w.coach.user.id] }),
  'GET /api/me/orgs': S({ sees: (s) => [s.w.orgId] }),
  'POST /api/orgs': S({ gate: ['org_pro', 'superuser'], body: () => ({ name: 'Mine' }) }),
  'GET /api/coaches/me/earnings': S(),
  'PUT /api/coaches/me/profile': S({ gate: 'bookings_enabled', body: () => ({}) }),
  'GET /api/coaches/me/profile': S({ gate: 'bookings_enabled' }),
  'POST /api/coaches/me/products': S({ gate: 'bookings_enabled', body: () => ({}) }),
  'GET /api/coaches/me/products': S({ gate: 'bookings_enabled' }),
  'POST /api/coaches/me/courses': S({ gate: 'paid_sessions_enabled', body: () => ({}) }),
  'GET /api/coaches/me/courses': S({ gate: 'paid_sessions_enabled' }),
  'GET /api/me/courses': S({ sees: (s) => [s.w.freeCourse.id] }),
  'POST /api/coaches/plus/sessions': S({ gate: 'video_upload_enabled', body: () => ({}) }),
  'GET /api/coaches/plus/sessions': S({ gate: 'video_upload_enabled' }),
  'GET /api/coaches/plus/clips': S({ gate: 'clip_library' }),
  // Any player id answers only about the caller's own media.
  'GET /api/coaches/plus/players/{playerId}/shares': S({
    gate: 'video_upload_enabled',
    ids: coachIds,
    echoes: (s) => [s.w.victim.user.id],
  }),
  'GET /api/me/videos': S({ counterparts: [{ who: 'victim', sees: (s) => [s.w.video.videoId] }] }),
  'GET /api/me/clips': S({ counterparts: [{ who: 'victim', sees: (s) => [s.w.video.clipId] }] }),
  'POST /api/coaches/me/services': S({ gate: 'bookings_enabled', body: () => ({}) }),
  'GET /api/coaches/me/services': S({ gate: 'bookings_enabled' }),
  'GET /api/availability/windows': S({ gate: 'bookings_enabled' }),
  'PUT /api/availability/windows': S({ gate: 'bookings_enabled', body: () => ({}) }),
  'POST /api/availability/windows': S({ gate: 'bookings_enabled', body: () => ({}) }),
  'GET /api/availability/overrides': S({ gate: 'bookings_enabled' }),
  'PUT /api/availability/overrides/{date}': S({
    gate: 'bookings_enabled',
    ids: () => ({ date: '2031-01-01' }),
    body: () => ({}),
  }),
  'DELETE /api/availability/overrides/{date}': S({
    gate: 'bookings_enabled',
    ids: () => ({ date: '2031-01-01' }),
  }),
  'GET /api/availability/blackouts': S({ gate: 'bookings_enabled' }),
  'POST /api/availability/blackouts': S({ gate: 'bookings_enabled', body: () => ({}) }),
  // The related caller books the coach's service with the victim's package credit: refused.
  'POST /api/bookings': S({
    body: (s) =>
      s.rel === 'related'
        ? { serviceId: s.w.serviceId, start: s.w.spareSlot, creditId: s.w.victim.creditId }
        : {},
    related: 'refuse',
  }),
  'GET /api/bookings': S({
    sees: (s) => [s.party.bookingId],
    counterparts: [{ who: 'coach', sees: (s) => [s.w.victim.bookingId] }],
  }),
  // The related caller opens a session on the paid course in the victim's name: refused.
  'POST /api/sessions/create': S({
    body: (s) =>
      s.rel === 'related'
        ? { course_id: s.w.paidCourse.id, locked_amount: 1000, student_id: s.w.victim.user.id }
        : {},
    related: 'refuse',
  }),
  'GET /api/me/sessions': S({ sees: (s) => [s.party.paidSessionId] }),
  'GET /api/coaches/me/sessions': S({
    counterparts: [{ who: 'coach', sees: (s) => [s.w.victim.paidSessionId] }],
  }),
  'GET /api/subscriptions/me': S(),
  'POST /api/subscriptions': S({ body: () => ({}) }),
  'POST /api/subscriptions/preview': S({ body: () => ({}) }),
  'POST /api/subscriptions/change': S({ body: () => ({}) }),
  // Only operators may name another user; the related caller names the victim.
  'POST /api/subscriptions/cancel': S({
    body: (s) => (s.rel === 'related' ? { userId: s.w.victim.user.id } : {}),
    related: 'refuse',
  }),
  'POST /api/subscriptions/resume': S({ body: () => ({}) }),
  'GET /api/subscriptions/me/invoices': S(),
  'POST /api/coaches/me/payouts/account': S({ gate: 'paid_sessions_enabled', body: () => ({}) }),
  'GET /api/coaches/me/payouts/account': S({ gate: 'paid_sessions_enabled' }),
  'GET /api/coaches/me/payouts': S({ gate: 'paid_sessions_enabled' }),
  'GET /api/me/purchases': S({ sees: (s) => [s.party.purchaseId] }),
  'GET /api/coaches/me/sales': S({
    counterparts: [{ who: 'coach', sees: (s) => [s.w.victim.purchaseId] }],
  }),
  'GET /api/me/credits': S({ sees: (s) => [s.party.creditId] }),
  // Page views come from anonymous visitors too (the token is optional).
  'POST /api/analytics/events': S({ body: () => ({}), anonymous: 'reach' }),
  'GET /api/coaches/me/analytics': S(),
  'GET /api/coaches/me/analytics/funnel.svg': S(),

  // Roster: the coach's side, and the athlete's side of the link (no one else's link to reach).
  'DELETE /api/coaches/me/players/{playerId}': C(coachIds, { destroys: true }),
  'POST /api/me/coaches/{coachId}/accept': {
    kind: 'party',
    ids: (s) => ({ coachId: s.w.coach.user.id }),
    related: 'n/a',
  },
  'DELETE /api/me/coaches/{coachId}': {
    kind: 'party',
    ids: (s) => ({ coachId: s.w.coach.user.id }),
    related: 'n/a',
    destroys: true,
  },
  // An athlete's account: the athlete, their active coaches, their org admins, operators.
  'GET /api/players/{playerId}': {
    counterparts: [
      { who: 'coach', sees: (s) => [s.w.victim.user.id] },
      { who: 'orgOwner', sees: (s) => [s.w.victim.user.id] },
    ],
    kind: 'party',
    ids: (s) => ({ playerId: s.party.user.id }),
    operators: ALL_OPS,
  },

  // The coach's products and courses.
  'PATCH /api/coaches/me/products/{id}': C((s) => ({ id: s.w.productId }), {
    body: () => ({ title: 'Mine' }),
  }),
  'GET /api/coaches/me/courses/{id}': C(course),
  'PATCH /api/coaches/me/courses/{id}': C(course, { body: () => ({ title: 'Mine now' }) }),
  // Before the lecture below is added: the order must list every lecture.
  // The related caller orders the coach's lecture into, or cuts the coach's video as a lecture of, a
  // course of their own: refused, and no lecture of the coach's video appears outside the coach's courses.
  'PUT /api/coaches/me/courses/{id}/lectures/order': C(course, {
    body: (s) => ({ lectureIds: [s.w.freeCourse.lectureId] }),
    related: 'refuse',
  }),
  'POST /api/coaches/me/courses/{id}/lectures': C(course, {
    body: (s) => ({ title: 'Extra', videoId: s.w.video.videoId, startSeconds: 0, endSeconds: 60 }),
    related: 'refuse',
  }),
  'PATCH /api/coaches/me/courses/{id}/lectures/{lectureId}': C(course, { body: () => ({ title: 'Mine' }) }),
  // Buying is open to anyone signed in (that is how a relationship starts); the coach cannot buy
  // their own product.
  'POST /api/checkout/products/{id}': C((s) => ({ id: s.w.productId }), {
    own: 'refuse',
    foreign: 'allow',
    related: 'allow',
  }),
  'POST /api/checkout/packages/{id}': C((s) => ({ id: s.w.productId }), {
    own: 'refuse',
    foreign: 'allow',
    related: 'allow',
  }),

  // Enrolling in the free course is the relationship; the paid course is watched through a paid
  // session, so enrolling in it is refused (409 paid_course) and no enrolment appears.
  'POST /api/courses/{id}/enroll': {
    kind: 'party',
    ids: (s) => ({ id: s.rel === 'own' ? s.w.freeCourse.id : s.w.paidCourse.id }),
    body: () => ({}),
    foreign: 'refuse',
    related: 'refuse',
  },
  'PUT /api/courses/{id}/lectures/{lectureId}/progress': {
    kind: 'party',
    ids: lectureOf,
    also: otherLectureUnder,
    body: () => ({ positionSeconds: 5 }),
  },
  'GET /api/courses/{id}/lectures/{lectureId}/playback': {
    kind: 'party',
    ids: lectureOf,
    also: otherLectureUnder,
  },

  // The org: its admin's resources; a member sees the org (and its members) and nothing else.
  'GET /api/orgs/{id}': { kind: 'org', ids: org, related: 'allow', operators: ALL_OPS, showsMembers: true },
  'POST /api/orgs/{id}/members': {
    kind: 'org',
    ids: org,
    body: () => ({ email: uniqueEmail('org-invitee'), role: 'player' }),
    operators: ALL_OPS,
  },
  'GET /api/orgs/{id}/invitations': { kind: 'org', ids: org, operators: ALL_OPS },
  'POST /api/me/orgs/{orgId}/accept': { kind: 'party', ids: org, related: 'n/a' },
  'PUT /api/admin/users/{id}/role': {
    kind: 'party',
    ids: (s) => ({ id: s.party.user.id }),
    body: (s) => ({ role: s.party.user.role }),
    own: 'deny',
    operators: ALL_OPS,
  },

  // Video (issue 5): the coach's session, video, clip and annotation; shared with the victim only.
  'GET /api/coaches/plus/sessions/{id}': V(),
  'PATCH /api/coaches/plus/sessions/{id}': V({ body: () => ({ title: 'Mine now' }) }),
  'POST /api/coaches/plus/sessions/{id}/videos/upload': V({
    body: () => ({ filename: 'a.mp4', content_type: 'video/mp4', size_bytes: 1000 }),
  }),
  'GET /api/coaches/plus/sessions/{id}/videos': V(),
  'GET /api/coaches/plus/sessions/{id}/videos/{videoId}': V(),
  'GET /api/coaches/plus/sessions/{id}/videos/{videoId}/upload': V(),
  'POST /api/coaches/plus/sessions/{id}/videos/{videoId}/upload/complete': V({
    body: () => ({ parts: [{ part_number: 1, etag: 'abc' }] }),
  }),
  'POST /api/coaches/plus/sessions/{id}/videos/{videoId}/retry': V(),
  'PUT /api/coaches/plus/sessions/{id}/videos/{videoId}/shares': V({
    body: (s) => ({ player_ids: [s.w.victim.user.id] }),
  }),
  'POST /api/coaches/plus/sessions/{id}/videos/{videoId}/annotations': V({
    body: () => ({ kind: 'note', at_seconds: 1, text: 'Mine now' }),
  }),
  'PATCH /api/coaches/plus/sessions/{id}/videos/{videoId}/annotations/{annotationId}': V({
    body: () => ({ text: 'Mine now' }),
  }),
  'POST /api/coaches/plus/sessions/{id}/videos/{videoId}/clips': V({
    body: () => ({ title: 'Mine', start_seconds: 0, end_seconds: 1 }),
  }),
  'GET /api/videos/{videoId}': V({ counterparts: [{ who: 'victim', sees: (s) => [s.w.video.videoId] }] }),
  'GET /api/videos/{videoId}/annotations': V(),
  'GET /api/clips/{clipId}': V({ counterparts: [{ who: 'victim', sees: (s) => [s.w.video.clipId] }] }),
  'PUT /api/coaches/plus/clips/{clipId}/shares': V({ body: (s) => ({ player_ids: [s.w.victim.user.id] }) }),

  // Bookings: the athlete's booking (their coach and operators too); no-show is the coach's call.
  'PATCH /api/coaches/me/services/{id}': C(coachIds, { body: () => ({ title: 'Mine now' }) }),
  'GET /api/bookings/{id}': {
    kind: 'party',
    ids: booking,
    operators: ALL_OPS,
    counterparts: [{ who: 'coach', sees: (s) => [s.w.victim.bookingId] }],
  },
  'POST /api/bookings/{id}/reschedule': {
    kind: 'party',
    ids: booking,
    body: () => ({ start: later(30) }),
    operators: ALL_OPS,
  },
  'POST /api/bookings/{id}/no-show': { kind: 'party', ids: booking, own: 'deny' },

  // Paid sessions: the student's (the coach reads its status too).
  'POST /api/sessions/{id}/start': { kind: 'party', ids: session },
  'PATCH /api/sessions/{id}/metrics': {
    kind: 'party',
    ids: session,
    body: () => ({ seq: 1, duration_seconds: 0, completion_pct: 0, current_lecture: 1, position_seconds: 0 }),
  },
  'GET /api/sessions/{id}/status': {
    kind: 'party',
    ids: session,
    counterparts: [{ who: 'coach', sees: (s) => [s.w.victim.paidSessionId] }],
  },
  'GET /api/sessions/{id}/lectures/{position}/playback': { kind: 'party', ids: session },

  // Purchases: the buyer's or the coach's; only the coach refunds (a buyer cannot refund their own).
  'GET /api/purchases/{id}': {
    kind: 'party',
    ids: (s) => ({ id: s.party.purchaseId }),
    counterparts: [{ who: 'coach', sees: (s) => [s.w.victim.purchaseId] }],
  },
  'POST /api/purchases/{id}/refund': {
    kind: 'party',
    ids: (s) => ({ id: s.party.purchaseId }),
    body: () => ({}),
    own: 'deny',
  },

  // Removals, children before parents (run after every other cell).
  'POST /api/sessions/{id}/complete': { kind: 'party', ids: session, destroys: true },
  'POST /api/bookings/{id}/cancel': {
    kind: 'party',
    ids: booking,
    body: () => ({ reason: 'matrix' }),
    operators: ALL_OPS,
    destroys: true,
  },
  'DELETE /api/coaches/me/services/{id}': C(coachIds, { destroys: true }),
  'DELETE /api/availability/windows/{id}': C((s) => ({ id: s.w.windowId }), { destroys: true }),
  'DELETE /api/availability/blackouts/{id}': C((s) => ({ id: s.w.blackoutId }), { destroys: true }),
  'DELETE /api/coaches/me/courses/{id}/lectures/{lectureId}': C(course, { destroys: true }),
  'DELETE /api/coaches/me/courses/{id}': C(course, { destroys: true }),
  'DELETE /api/coaches/me/products/{id}': C((s) => ({ id: s.w.productId }), { destroys: true }),
  'DELETE /api/coaches/plus/sessions/{id}/videos/{videoId}/annotations/{annotationId}': V({ destroys: true }),
  'DELETE /api/coaches/plus/clips/{clipId}': V({ destroys: true }),
  'DELETE /api/coaches/plus/sessions/{id}/videos/{videoId}/upload': V({ destroys: true }),
  'DELETE /api/coaches/plus/sessions/{id}/videos/{videoId}': V({ destroys: true }),
  'DELETE /api/coaches/plus/sessions/{id}': V({ destroys: true }),
  'DELETE /api/orgs/{id}/invitations/{invitationId}': {
    kind: 'org',
    ids: org,
    operators: ALL_OPS,
    destroys: true,
  },
  'DELETE /api/orgs/{id}/members/{userId}': { kind: 'org', ids: org, operators: ALL_OPS, destroys: true },
  'DELETE /api/me/orgs/{orgId}': { kind: 'party', ids: org, related: 'n/a', destroys: true },
  // Ends the caller's login: last of all.
  'POST /api/auth/logout': S({ destroys: true, related: 'n/a' }),
};

interface Cell {
  route: string;
  who: 'anonymous' | Role | Counterpart;
  rel: Rel;
  expect: Outcome;
  /** Why a cell is not applicable. */
  why?: string;
  token?: string;
  path: string;
  body?: unknown;
  /** Strings that must not appear in the answer (null: the caller may see everything here). */
  secrets: string[] | null;
  sees: string[];
  phase: 'probe' | 'change' | 'remove';
}

const RELS = ['own', 'foreign', 'related'] as const;
const fillPath = (route: string, ids: Record<string, string>) =>
  route.split(' ')[1]!.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in ids)) throw new Error(`${route}: no value for {${name}}`);
    return encodeURIComponent(ids[name]!);
  });

/** Everything someone other than `actorId` owns that must never show up in that caller's answers. */
function secretsFor(w: AuthzWorld, actorId: string | null, spec: Spec): string[] {
  const out: string[] = [];
  for (const p of [w.victim, ...Object.values(w.related)]) {
    if (p.user.id === actorId) continue;
    out.push(p.purchaseId, p.paymentIntentId, p.creditId, p.bookingId, p.paidSessionId);
    // An account's id and address: what an unanswered invitation must not disclose either (the
    // address the inviter typed comes back to them; the id and name must not).
    if (!spec.showsMembers) out.push(p.user.id, p.user.email);
  }
  if (actorId !== w.victim.user.id) out.push(w.video.clipId, w.video.annotationId);
  // An empty or missing marker would be "found" in every answer.
  if (out.some((x) => typeof x !== 'string' || x.length < 8))
    throw new Error(`bad secret in ${out.join(', ')}`);
  return out;
}

function cellsOf(w: AuthzWorld, route: string, spec: Spec): Cell[] {
  const method = route.split(' ')[0]!;
  const probe = (expect: Outcome) => !['allow', 'reach'].includes(expect) || method === 'GET';
  const make = (
    who: Cell['who'],
    rel: Rel,
    expect: Outcome,
    actor: { id: string; token: string } | null,
    scope: Scope,
    trusted = false,
  ): Cell => {
    const base = { route, who, rel, expect, path: '', secrets: null, sees: [], phase: 'probe' as const };
    if (expect === 'n/a') return { ...base, why: 'the caller cannot hold such a resource' };
    return {
      ...base,
      token: actor?.token,
      path: fillPath(route, spec.ids?.(scope) ?? {}) + (spec.query ? `?${spec.query(scope)}` : ''),
      body: spec.body?.(scope),
      secrets: trusted
        ? null
        : secretsFor(w, actor?.id ?? null, spec).filter((x) => !spec.echoes?.(scope).includes(x)),
      sees: rel === 'own' && spec.sees ? spec.sees(scope) : [],
      phase: probe(expect) ? 'probe' : spec.destroys ? 'remove' : 'change',
    };
  };
  const scopeOf = (role: Role, rel: Rel): Scope => ({
    w,
    rel,
    role,
    party: rel === 'own' ? w.related[role] : w.victim,
    me: w.related[role],
    route,
  });

  const cells: Cell[] = [
    make(
      'anonymous',
      'foreign',
      spec.anonymous ?? (spec.kind === 'public' ? 'reach' : 'deny'),
      null,
      scopeOf('free', 'foreign'),
    ),
  ];
  for (const role of ROLES)
    for (const rel of RELS) {
      const scope = scopeOf(role, rel);
      const operator = spec.operators?.includes(role) ?? false;
      const stranger = w.strangers[role];
      const related = w.related[role].user;
      if (spec.kind === 'public') {
        cells.push(make(role, rel, rel === 'foreign' ? 'reach' : 'n/a', stranger, scope));
        continue;
      }
      if (spec.kind === 'self') {
        const gated = Array.isArray(spec.gate)
          ? !spec.gate.includes(role)
          : spec.gate !== undefined && !hasFeature(role, spec.gate);
        const expect = gated ? 'gated' : (spec[rel] ?? 'reach');
        cells.push(make(role, rel, expect, rel === 'foreign' ? stranger : related, scope, operator));
        continue;
      }
      let expect: Outcome = spec[rel] ?? (rel === 'own' ? 'allow' : 'deny');
      let actor: { id: string; token: string } = rel === 'foreign' ? stranger : related;
      let trusted = operator;
      if (rel === 'own' && spec.kind !== 'party') {
        const owner = spec.kind === 'coach' ? w.coach.user : w.orgOwner;
        if (owner.role !== role) expect = 'n/a';
        actor = owner;
        trusted = true;
      }
      const mixed = rel === 'related' && !!spec.mixesUnder && route.includes(spec.mixesUnder);
      if (operator && expect !== 'n/a' && !mixed) {
        // The owner's cell already removed what an operator would remove.
        if (spec.destroys && spec.kind !== 'party' && rel !== 'own') {
          cells.push({ ...make(role, rel, 'n/a', null, scope), why: 'removed by the owner’s cell' });
          continue;
        }
        expect = 'allow';
      }
      cells.push(make(role, rel, expect, actor, scope, trusted));
    }
  if (spec.also)
    for (const role of ROLES) {
      const scope = scopeOf(role, 'related');
      const operator = spec.operators?.includes(role) ?? false;
      const cell = make(
        role,
        'also',
        operator ? 'allow' : (spec.related ?? 'deny'),
        w.related[role].user,
        scope,
        operator,
      );
      for (const ids of spec.also(scope)) cells.push({ ...cell, path: fillPath(route, ids) });
    }
  for (const cp of spec.counterparts ?? []) {
    const scope = scopeOf('free', 'foreign');
    const actor = cp.who === 'coach' ? w.coach.user : cp.who === 'orgOwner' ? w.orgOwner : w.victim.user;
    cells.push({
      ...make(cp.who, 'counterpart', 'allow', actor, scope, true),
      sees: cp.sees(scope),
    });
  }
  return cells;
}

/** Empty when the answer is what the cell expects; otherwise why not. */
function judge(c: Cell, res: { status: number; body: any }): string | null {
  const shaped = typeof res.body?.error?.code === 'string' && typeof res.body?.error?.message === 'string';
  if (res.status >= 500) return `${res.status} ${JSON.stringify(res.body)}`;
  if (c.expect === 'deny') {
    if (c.who === 'anonymous') return res.status === 401 && shaped ? null : `${res.status}, not 401`;
    return [403, 404].includes(res.status) && shaped ? null : `${res.status}, not denied`;
  }
  if (res.status >= 400 && !shaped) return `${res.status} outside the error shape`;
  if (c.expect === 'gated')
    return res.status === 403 && ['feature_not_in_plan', 'role_not_allowed'].includes(res.body.error.code)
      ? null
      : `${res.status} ${JSON.stringify(res.body)}, not gated`;
  if (c.expect === 'refuse' && !(res.status >= 400 && res.status !== 401))
    return `${res.status} ${JSON.stringify(res.body)}, not refused`;
  if (res.status === 401) return '401 for a signed-in caller';
  if (c.expect === 'allow' && !(res.status < 300 || res.status === 409))
    return `${res.status} ${JSON.stringify(res.body)}, not allowed`;
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
  const leaked = c.secrets?.filter((x) => text.includes(x)) ?? [];
  if (leaked.length)
    return `${res.status} but shows ${leaked.length} secret(s) of others: ${leaked.join(', ')}`;
  const missing = res.status < 300 ? c.sees.filter((x) => !text.includes(x)) : c.sees;
  if (missing.length) return `${res.status}: own ${missing.join(', ')} missing`;
  return null;
}

/** Runs `jobs` with at most `n` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

let ctx: TestContext;
let world: AuthzWorld;
let worldMs = 0;
let routes: string[];

beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
  const spec = (await call(ctx.app, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  const t0 = Date.now();
  world = await buildAuthzWorld(ctx.app, ctx.deps);
  worldMs = Date.now() - t0;
}, 120_000);

afterAll(async () => {
  if (ctx) {
    // Bookings, purchases and paid sessions left open by the matrix: end them with the file.
    for await (const wf of ctx.deps.temporal.workflow.list({
      query: `ExecutionStatus = 'Running' AND TaskQueue IN ('${ctx.deps.cfg.TEMPORAL_TASK_QUEUE}', '${ctx.deps.cfg.TEMPORAL_MEDIA_TASK_QUEUE}')`,
    }))
      await ctx.deps.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('authz matrix finished')
        .catch(() => {});
  }
  await ctx?.close();
});

describe('authorization matrix', () => {
  it('classifies every route in the OpenAPI document, and nothing else', () => {
    expect(routes.filter((r) => !MATRIX[r])).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('every route × subject × relationship answers as the table says, and denials change nothing', async () => {
    const started = Date.now();
    const cells = routes.filter((r) => MATRIX[r]).flatMap((r) => cellsOf(world, r, MATRIX[r]!));
    const run = (c: Cell) => async () => {
      const method = c.route.split(' ')[0]!;
      const res = await call(ctx.app, method, c.path, {
        token: c.token,
        body: c.body ?? (method === 'GET' || method === 'DELETE' ? undefined : {}),
      });
      return { cell: c, status: res.status, problem: judge(c, res) };
    };
    const live = cells.filter((c) => c.expect !== 'n/a');

    const before = await snapshot();
    const results = await pool(live.filter((c) => c.phase === 'probe').map(run), 16);
    expect(await snapshot(), 'denied and read-only calls changed nothing').toEqual(before);
    // Allowed changes, route by route in table order (removals last), each route's cells in parallel.
    for (const phase of ['change', 'remove'] as const)
      for (const route of Object.keys(MATRIX)) {
        results.push(...(await pool(live.filter((c) => c.phase === phase && c.route === route).map(run), 8)));
      }

    const unexpected = results.filter((r) => r.problem);
    printSummary(cells, results, Date.now() - started);
    if (process.env.AUTHZ_MATRIX_FULL) printTable(cells, results);
    expect(unexpected.map((r) => `${r.cell.who} ${r.cell.rel} ${r.cell.route} → ${r.problem}`)).toEqual([]);
    expect(results.length).toBe(live.length);
  }, 180_000);
});

function printSummary(
  cells: Cell[],
  results: { cell: Cell; status: number; problem: string | null }[],
  ms: number,
) {
  const kinds: Kind[] = ['public', 'self', 'party', 'coach', 'org'];
  const rows = kinds.map((k) => {
    const mine = results.filter((r) => MATRIX[r.cell.route]!.kind === k);
    const count = (e: Outcome) => mine.filter((r) => r.cell.expect === e).length;
    return [
      k,
      String(routes.filter((r) => MATRIX[r]?.kind === k).length),
      String(mine.length),
      String(count('allow')),
      String(count('deny')),
      String(count('refuse')),
      String(count('gated')),
      String(count('reach')),
      String(cells.filter((c) => MATRIX[c.route]!.kind === k && c.expect === 'n/a').length),
      String(mine.filter((r) => r.problem).length),
    ];
  });
  const head = [
    'kind',
    'routes',
    'checked',
    'allow',
    'deny',
    'refuse',
    'gated',
    'reach',
    'n/a',
    'unexpected',
  ];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((v, i) => (i ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  const counterparts = cells.filter((c) => c.rel === 'counterpart').length;
  const also = cells.filter((c) => c.rel === 'also').length;
  console.log(
    [
      `authorization matrix: ${routes.length} routes × (anonymous + ${ROLES.length} roles × ${RELS.length} relationships: own, foreign, related) = ${cells.length - counterparts - also} cells, + ${also} further related probes, + ${counterparts} counterpart cells (the victim's coach, org owner, or the victim on media shared with them)`,
      ...all.map(line),
      `cells checked: ${results.length}, not applicable: ${cells.length - results.length}, unexpected outcomes: ${results.filter((r) => r.problem).length} (world built in ${(worldMs / 1000).toFixed(1)} s, cells run in ${(ms / 1000).toFixed(1)} s)`,
    ].join('\n'),
  );
}

/**
 * The whole table, one line per route (AUTHZ_MATRIX_FULL=1): the anonymous cell, then per role its
 * own/foreign/related cells (then the further related probes, where there are some). A allow, D deny,
 * R refuse, G gated, r reach, - not applicable, ! unexpected.
 */
/** player_pro_plus → player+, coach_pro → coach, superuser → superuser: fits the table's columns. */
const short = (r: Role) => r.replace('_pro_plus', '+').replace('_pro', '');

function printTable(cells: Cell[], results: { cell: Cell; problem: string | null }[]) {
  const letter: Record<Outcome, string> = {
    allow: 'A',
    deny: 'D',
    refuse: 'R',
    reach: 'r',
    gated: 'G',
    'n/a': '-',
  };
  const failed = new Set(results.filter((r) => r.problem).map((r) => r.cell));
  const mark = (c: Cell | undefined) => (c ? (failed.has(c) ? '!' : letter[c.expect]) : '-');
  const width = Math.max(...routes.map((r) => r.length));
  const lines = [
    `${'route'.padEnd(width)}  anon  ${ROLES.map((r) => short(r).padEnd(11)).join(' ')}  counterpart`,
  ];
  for (const route of routes) {
    const mine = cells.filter((c) => c.route === route);
    const at = (who: Cell['who'], rel: Rel) => mine.find((c) => c.who === who && c.rel === rel);
    const roles = ROLES.map((r) =>
      (
        RELS.map((rel) => mark(at(r, rel))).join('') +
        mine
          .filter((c) => c.who === r && c.rel === 'also')
          .map(mark)
          .join('')
      ).padEnd(11),
    );
    const cps = mine.filter((c) => c.rel === 'counterpart').map((c) => `${c.who}:${mark(c)}`);
    lines.push(
      `${route.padEnd(width)}  ${mark(at('anonymous', 'foreign')).padEnd(4)}  ${roles.join(' ')}  ${cps.join(' ')}`,
    );
  }
  console.log(lines.join('\n'));
}

async function snapshot() {
  const db = ctx.deps.db;
  const w = world;
  const parties = [w.victim, ...Object.values(w.related)];
  return {
    product: await db.product.findUnique({ where: { id: w.productId } }),
    roster: await db.coachPlayer.findMany({
      where: { coachId: w.coach.user.id },
      orderBy: { playerId: 'asc' },
    }),
    members: await db.orgMember.findMany({ where: { orgId: w.orgId }, orderBy: { userId: 'asc' } }),
    invitations: await db.orgInvitation.findMany({ where: { orgId: w.orgId }, orderBy: { id: 'asc' } }),
    roles: await db.user.findMany({
      where: { id: { in: parties.map((p) => p.user.id) } },
      select: { id: true, role: true },
      orderBy: { id: 'asc' },
    }),
    // Who holds what, and how far each got (not timestamps the running workflows may stamp).
    credits: await db.creditGrant.findMany({
      select: { id: true, userId: true, remaining: true, revokedAt: true },
      orderBy: { id: 'asc' },
    }),
    purchases: await db.purchase.findMany({
      select: { id: true, buyerId: true, status: true, refundedMinor: true },
      orderBy: { id: 'asc' },
    }),
    bookings: await db.booking.findMany({
      select: { id: true, athleteId: true, startsAt: true, cancelledAt: true, rescheduleCount: true },
      orderBy: { id: 'asc' },
    }),
    paidSessions: await db.paidSession.findMany({
      select: { id: true, studentId: true, startedAt: true, heartbeatCount: true, endReason: true },
      orderBy: { id: 'asc' },
    }),
    service: await db.bookingService.findUnique({ where: { id: w.serviceId } }),
    blackouts: await db.availabilityBlackout.count({ where: { coachId: w.coach.user.id } }),
    windows: await db.availabilityWindow.count({ where: { coachId: w.coach.user.id } }),
    courses: await db.course.findMany({
      where: { coachId: w.coach.user.id },
      include: { lectures: true },
      orderBy: { id: 'asc' },
    }),
    paidEnrolments: await db.courseEnrollment.count({ where: { courseId: w.paidCourse.id } }),
    lecturesOfTheCoachVideoElsewhere: await db.lecture.count({
      where: { videoId: w.video.videoId, course: { coachId: { not: w.coach.user.id } } },
    }),
    ownCourseLectures: await db.lecture.count({
      where: { courseId: { in: parties.map((p) => p.ownCourseId) } },
    }),
    ownSessionVideos: await db.video.count({
      where: { sessionId: { in: parties.map((p) => p.ownVideoSessionId) } },
    }),
    videoSession: await db.videoSession.findUnique({ where: { id: w.video.sessionId } }),
    videos: await db.video.findMany({ where: { sessionId: w.video.sessionId }, orderBy: { id: 'asc' } }),
    clips: await db.clip.findMany({ where: { sessionId: w.video.sessionId }, orderBy: { id: 'asc' } }),
    annotations: await db.videoAnnotation.findMany({
      where: { videoId: w.video.videoId },
      orderBy: { id: 'asc' },
    }),
  };
}

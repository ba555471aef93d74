import type { Deps } from '../../infra/deps';
import { logger } from '../../infra/logger';
import {
  billedSeconds,
  costMinor,
  heartbeatProblems,
  heartbeatSessionProblems,
  MAX_LOCKED_MINOR,
  MIN_LOCKED_MINOR,
  type Heartbeat,
  type LectureProgress,
} from '../../domain/paid-sessions/metering';
import {
  conflict,
  forbidden,
  invalidFields,
  notFound,
  rejectProblems,
  unavailable,
  unauthenticated,
  type FieldProblem,
} from '../../domain/shared/errors';
import { findPaidSession, listPaidSessions, type PaidSessionDetails } from '../../data/paid-sessions';
import { heartbeatIngest, IngestOverloaded } from '../../data/heartbeat-ingest';
import {
  completePaidSessionUpdate,
  fundsUsedUpSignal,
  PaidSessionFailure,
  startPaidSessionUpdate,
} from '../../../workflows/paid-sessions/definitions';
import { lecturePlayback, type LecturePlayback } from '../courses/playback';
import { temporalFailure } from '../temporal-failures';
import { paidSessionHandle, startPaidSessionAndAwaitReady } from './workflow';

// Paid sessions (seed 002): create (lock), start, heartbeat, complete, status, lists. The lifecycle
// belongs to paid-session-<id>; the heartbeat is metered by one SQL statement and never reaches the
// workflow, except the one heartbeat whose cost first reaches the lock.

export type { PaidSessionDetails };

/** How long POST …/complete waits for the settlement before answering with the state so far. */
const SETTLE_WAIT_MS = 15_000;

interface Caller {
  id: string;
}

/**
 * Repair on contact (docs/adr/0011 §2): a row committed by a create whose process died before the
 * workflow started has no PaymentIntent and no owner. The first look at it starts its workflow
 * (joining a run that exists), which creates the intent, or cancels the lock at its deadline.
 */
async function repairIfOrphaned(deps: Deps, s: PaidSessionDetails): Promise<PaidSessionDetails> {
  if (s.status !== 'locked' || s.paymentIntentId || s.createdAt.getTime() > Date.now() - 60_000) return s;
  if ((await startPaidSessionAndAwaitReady(deps, s)) === 'not_started') return s;
  return (await findPaidSession(deps.db, s.id)) ?? s;
}

/** The session if `caller` is its student or its coach; 404 otherwise (nobody learns it exists). */
export async function sessionFor(
  deps: Pick<Deps, 'db'>,
  caller: Caller,
  id: string,
  as: 'student' | 'party' = 'party',
): Promise<PaidSessionDetails> {
  const s = await findPaidSession(deps.db, id);
  if (!s || (s.studentId !== caller.id && (as === 'student' || s.coachId !== caller.id)))
    throw notFound('Paid session');
  return s;
}

export async function createPaidSession(
  deps: Deps,
  caller: Caller,
  input: { courseId: string; lockedAmount: number; studentId?: string },
): Promise<PaidSessionDetails> {
  if (input.studentId !== undefined && input.studentId !== caller.id)
    throw forbidden('A paid session can only be opened for yourself', 'not_the_caller', [
      { field: 'student_id', reason: 'must be your own id (or left out)' },
    ]);
  const course = await deps.db.course.findUnique({
    where: { id: input.courseId },
    include: { lectures: { select: { position: true }, orderBy: { position: 'asc' } } },
  });
  if (!course || (!course.published && course.coachId !== caller.id)) throw notFound('Course');
  const problems: FieldProblem[] = [];
  if (course.accessType !== 'paid_per_minute')
    problems.push({ field: 'course_id', reason: 'is not a pay-per-minute course' });
  else if (course.coachId === caller.id) problems.push({ field: 'course_id', reason: 'is your own course' });
  else if (course.lectures.length === 0) problems.push({ field: 'course_id', reason: 'has no lectures yet' });
  if (
    !Number.isSafeInteger(input.lockedAmount) ||
    input.lockedAmount < MIN_LOCKED_MINOR ||
    input.lockedAmount > MAX_LOCKED_MINOR
  )
    problems.push({
      field: 'locked_amount',
      reason: `must be an integer number of minor units from ${MIN_LOCKED_MINOR} to ${MAX_LOCKED_MINOR}`,
    });
  else if (course.accessType === 'paid_per_minute' && input.lockedAmount < course.pricePerMinuteMinor)
    problems.push({
      field: 'locked_amount',
      reason: `must buy at least one minute (${course.pricePerMinuteMinor} minor units)`,
    });
  if (problems.length > 0) {
    const conflictOnly = problems.every((p) => p.field === 'course_id');
    throw conflictOnly
      ? conflict(
          `This course cannot be watched per minute: ${problems[0]!.reason}`,
          'course_not_payable',
          problems,
        )
      : invalidFields(problems);
  }

  const row = await deps.db.paidSession.create({
    data: {
      studentId: caller.id,
      coachId: course.coachId,
      courseId: course.id,
      lockedMinor: input.lockedAmount,
      currency: course.currency.toLowerCase(),
      pricePerMinuteMinor: course.pricePerMinuteMinor,
      lecturePositions: course.lectures.map((l) => l.position),
    },
  });
  const started = await startPaidSessionAndAwaitReady(deps, row);
  if (started === 'not_started') {
    // Nothing runs for it and nothing refers to it yet: undo, so no lock is left without an owner.
    await deps.db.paidSession.delete({ where: { id: row.id } }).catch(() => undefined);
    throw unavailable(
      'The paid session could not be opened right now; try again shortly',
      'temporarily_unavailable',
      5,
    );
  }
  return (await findPaidSession(deps.db, row.id))!;
}

const refusedRules = (what: string) => ({
  what,
  refused: (f: { type?: string | null; message: string }) =>
    f.type === PaidSessionFailure.InvalidTransition
      ? conflict(f.message, 'invalid_transition')
      : conflict(f.message, 'refused'),
  closed: () => conflict(`${what}: the session has ended`, 'invalid_transition'),
});

export async function startPaidSession(deps: Deps, caller: Caller, id: string): Promise<PaidSessionDetails> {
  const s = await repairIfOrphaned(deps, await sessionFor(deps, caller, id, 'student'));
  if (s.status !== 'locked' || s.endReason)
    throw conflict(`The session is ${s.status}; it cannot start`, 'invalid_transition');
  if (!s.authorisedAt) throw conflict('The card has not authorised the locked amount yet', 'not_authorised');
  try {
    await paidSessionHandle(deps, id).executeUpdate(startPaidSessionUpdate);
  } catch (err) {
    throw await temporalFailure(err, refusedRules('The session could not start'));
  }
  return (await findPaidSession(deps.db, id))!;
}

export interface HeartbeatAnswer {
  duplicate: boolean;
  durationSeconds: number;
  billedSeconds: number;
  costMinor: number;
  lockedMinor: number;
  currency: string;
  completionPct: number;
  contentProgress: Record<string, LectureProgress>;
  fundsUsedUp: boolean;
}

/** PATCH …/metrics: one statement; a repeated seq answers the current totals and changes nothing. */
export async function heartbeat(
  deps: Pick<Deps, 'db' | 'temporal'>,
  /** From a verified access token; the statement checks its login session is still live. */
  caller: Caller & { authSessionId: string },
  id: string,
  h: Heartbeat,
): Promise<HeartbeatAnswer> {
  rejectProblems(heartbeatProblems(h));
  const r = await heartbeatIngest(deps.db)
    .record(id, caller.id, caller.authSessionId, h)
    .catch((err: unknown) => {
      if (err instanceof IngestOverloaded)
        throw unavailable('Too many heartbeats at once; send this one again shortly', 'overloaded', 2);
      throw err;
    });
  if (!r.authed) throw unauthenticated('Session has ended; log in again');
  if (r.status === null || !r.is_student) throw notFound('Paid session');
  if (!r.inserted) {
    if (r.status !== 'active' || r.closing)
      throw conflict(
        `The session is ${r.closing ? 'ending' : r.status}; it takes no heartbeats`,
        'session_not_active',
      );
    // Refused by the statement's checks, or a duplicate: the domain rules say which.
    const problems = heartbeatSessionProblems(
      h,
      { startedAtMs: r.started_at!.getTime(), lecturePositions: r.lecture_positions },
      r.at.getTime(),
    );
    rejectProblems(problems);
  }
  const pricing = { pricePerMinuteMinor: r.price_per_minute_minor, lockedMinor: r.locked_minor };
  const totals = { durationSeconds: r.duration_seconds, observedMs: Number(r.observed_ms) };
  const crossed = r.inserted && r.exhausted_seq === h.seq;
  if (crossed) {
    // The one heartbeat whose cost reached the lock tells the workflow; if Temporal is unreachable
    // now, the workflow still finds exhausted_seq set when its idle timer fires.
    await paidSessionHandle(deps, id)
      .signal(fundsUsedUpSignal)
      .catch((err: unknown) => logger.warn({ err, sessionId: id }, 'funds-used-up signal not delivered'));
  }
  return {
    duplicate: !r.inserted,
    durationSeconds: r.duration_seconds,
    billedSeconds: billedSeconds(totals),
    costMinor: costMinor(billedSeconds(totals), pricing),
    lockedMinor: r.locked_minor,
    currency: r.currency,
    completionPct: r.completion_pct,
    contentProgress: r.content_progress,
    fundsUsedUp: r.exhausted_seq !== null,
  };
}

export async function completePaidSession(
  deps: Deps,
  caller: Caller,
  id: string,
): Promise<PaidSessionDetails> {
  const s = await repairIfOrphaned(deps, await sessionFor(deps, caller, id, 'student'));
  if (s.settledAt) return s;
  try {
    await deps.temporal.withDeadline(Date.now() + SETTLE_WAIT_MS, () =>
      paidSessionHandle(deps, id).executeUpdate(completePaidSessionUpdate),
    );
  } catch (err) {
    const e = await temporalFailure(err, refusedRules('The session could not be completed'));
    // Still settling after the wait: answer with the state so far (GET …/status shows the end).
    if (!(e instanceof Error && 'kind' in e && (e as { kind: string }).kind === 'unavailable')) throw e;
  }
  return (await findPaidSession(deps.db, id))!;
}

export async function listMyPaidSessions(
  deps: Pick<Deps, 'db'>,
  caller: Caller,
  as: 'student' | 'coach',
  page: { limit: number; offset: number; status?: string },
) {
  return listPaidSessions(
    deps.db,
    as === 'student' ? { studentId: caller.id } : { coachId: caller.id },
    page,
  );
}

/**
 * Playback URLs of the lecture at `position`, for the student of an active session: the courses
 * feature decides entitlement (an active paid session of the course) and presigns.
 */
export async function sessionLecturePlayback(
  deps: Deps,
  caller: Caller,
  id: string,
  position: number,
): Promise<LecturePlayback> {
  const s = await sessionFor(deps, caller, id, 'student');
  if (s.status !== 'active' || s.endReason)
    throw conflict(
      `The session is ${s.endReason ? 'ending' : s.status}; no lecture can be played`,
      'session_not_active',
    );
  const lecture = await deps.db.lecture.findFirst({
    where: { courseId: s.courseId, position },
    select: { id: true },
  });
  if (!lecture)
    throw notFound('Lecture', [
      { field: 'position', reason: `the course has no lecture at position ${position}` },
    ]);
  return lecturePlayback(deps, caller.id, s.courseId, lecture.id);
}

/** GET …/status: the session as its student or coach sees it (repairing an orphaned lock first). */
export async function paidSessionStatus(deps: Deps, caller: Caller, id: string): Promise<PaidSessionDetails> {
  return repairIfOrphaned(deps, await sessionFor(deps, caller, id));
}

import { ApplicationFailure } from '@temporalio/activity';
import { secondsPerLecture, settlement, type Settlement } from '../../src/domain/paid-sessions/metering';
import { heartbeatsOf } from '../../src/data/paid-sessions';
import type { Deps } from '../../src/infra/deps';
import {
  PaidSessionFailure,
  type PaidSessionEndReason,
  type PaidSessionStatus,
} from '../../workflows/paid-sessions/definitions';

// Postgres steps of paid-session-<id>. Every write is conditional on the state it moves from, so a
// retried activity or a replayed workflow changes nothing the first attempt did not.

export interface ClosedPaidSession extends Settlement {
  started: boolean;
  durationSeconds: number;
  student: { name: string; email: string };
  coach: { name: string; email: string };
  courseTitle: string;
  /** Seconds per lecture, in course order (lectures never watched left out). */
  lectures: { position: number; title: string; seconds: number }[];
}

export function paidSessionPostgresActivities(deps: Pick<Deps, 'db'>) {
  const { db } = deps;
  return {
    /** locked → active (once the card is authorised); the observed-time clock starts at the start. */
    async startPaidSessionRow(sessionId: string): Promise<{ startedAt: string }> {
      const now = new Date();
      await db.paidSession.updateMany({
        where: { id: sessionId, status: 'locked', endReason: null, authorisedAt: { not: null } },
        data: { status: 'active', startedAt: now, lastHeartbeatAt: now },
      });
      const row = await db.paidSession.findUniqueOrThrow({
        where: { id: sessionId },
        select: { status: true, startedAt: true },
      });
      if (row.status !== 'active' || !row.startedAt)
        throw ApplicationFailure.nonRetryable(
          `the session is ${row.status}; it cannot start`,
          PaidSessionFailure.InvalidTransition,
        );
      return { startedAt: row.startedAt.toISOString() };
    },

    /** The card holds the lock (Stripe's amount_capturable_updated). */
    async recordPaidSessionAuthorised(input: { sessionId: string; amountMinor: number }): Promise<void> {
      await db.paidSession.updateMany({
        where: { id: input.sessionId, authorisedAt: null },
        data: { authorisedAt: new Date(), authorisedMinor: input.amountMinor },
      });
    },

    /** When the last heartbeat arrived and whether the lock is used up (read when a timer fires). */
    async paidSessionActivity(
      sessionId: string,
    ): Promise<{ lastHeartbeatAtMs: number | null; fundsUsedUp: boolean }> {
      const row = await db.paidSession.findUniqueOrThrow({
        where: { id: sessionId },
        select: { lastHeartbeatAt: true, exhaustedSeq: true },
      });
      return {
        lastHeartbeatAtMs: row.lastHeartbeatAt?.getTime() ?? null,
        fundsUsedUp: row.exhaustedSeq !== null,
      };
    },

    /**
     * Stops the metering (end_reason set: the heartbeat statement refuses from now on) and returns
     * what settlement captures, from the totals as they stand. The first reason is kept; a re-run
     * reads the same frozen totals and returns the same amounts.
     */
    async closePaidSession(input: {
      sessionId: string;
      reason: PaidSessionEndReason;
    }): Promise<ClosedPaidSession> {
      await db.paidSession.updateMany({
        where: { id: input.sessionId, endReason: null },
        data: { endReason: input.reason },
      });
      const row = await db.paidSession.findUniqueOrThrow({
        where: { id: input.sessionId },
        include: {
          student: { select: { name: true, email: true } },
          coach: { select: { name: true, email: true } },
          course: { select: { title: true, lectures: { select: { position: true, title: true } } } },
        },
      });
      const started = row.startedAt !== null;
      const s = settlement(
        { durationSeconds: row.durationSeconds, observedMs: Number(row.observedMs) },
        { pricePerMinuteMinor: row.pricePerMinuteMinor, lockedMinor: row.lockedMinor },
      );
      const perLecture = secondsPerLecture(await heartbeatsOf(db, input.sessionId));
      const titles = new Map(row.course.lectures.map((l) => [l.position, l.title]));
      const lectures = [...perLecture.entries()]
        .filter(([, seconds]) => seconds > 0)
        .sort(([a], [b]) => a - b)
        .map(([position, seconds]) => ({
          position,
          title: titles.get(position) ?? `Lecture ${position}`,
          seconds,
        }));
      // A session never authorised (or never started) has nothing to capture.
      const final =
        started && row.authorisedAt
          ? s
          : { ...s, captureMinor: 0, releaseMinor: row.lockedMinor, cancel: true };
      await db.paidSession.updateMany({
        where: { id: input.sessionId, billedSeconds: null },
        data: { billedSeconds: final.billedSeconds },
      });
      return {
        ...final,
        started,
        durationSeconds: row.durationSeconds,
        student: row.student,
        coach: row.coach,
        courseTitle: row.course.title,
        lectures,
      };
    },

    /** The end state, once: completed with what was captured, or cancelled. */
    async finishPaidSession(input: {
      sessionId: string;
      status: Extract<PaidSessionStatus, 'completed' | 'cancelled'>;
      capturedMinor: number;
      releasedMinor: number;
    }): Promise<void> {
      await db.paidSession.updateMany({
        where: { id: input.sessionId, settledAt: null },
        data: {
          status: input.status,
          capturedMinor: input.capturedMinor,
          releasedMinor: input.releasedMinor,
          settledAt: new Date(),
          paymentClientSecret: null,
        },
      });
    },

    /** A refund Stripe reports on the session's charge: the refunded total, never above the capture. */
    async recordPaidSessionRefund(input: { sessionId: string; refundedMinor: number }): Promise<void> {
      await db.$executeRaw`UPDATE paid_sessions
        SET refunded_minor = LEAST(GREATEST(refunded_minor, ${input.refundedMinor}::int), COALESCE(captured_minor, 0)),
            updated_at = now()
        WHERE id = ${input.sessionId}::uuid`;
    },

    async recordPaidSessionDispute(sessionId: string): Promise<void> {
      await db.paidSession.updateMany({
        where: { id: sessionId, disputedAt: null },
        data: { disputedAt: new Date() },
      });
    },
  };
}

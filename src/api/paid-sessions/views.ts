import type { z } from '@hono/zod-openapi';
import { billedSeconds, costMinor, type LectureProgress } from '../../domain/paid-sessions/metering';
import type { PaidSessionDetails } from '../../app/paid-sessions/sessions';
import type { PaidSessionSchema } from './schemas';

/** A paid session as `viewer` (its student or its coach) sees it; the client secret only for the student. */
export function paidSessionView(
  s: PaidSessionDetails,
  viewer: { id: string },
): z.infer<typeof PaidSessionSchema> {
  const totals = { durationSeconds: s.durationSeconds, observedMs: Number(s.observedMs) };
  const billed = s.billedSeconds ?? billedSeconds(totals);
  return {
    id: s.id,
    status: s.status,
    course: { id: s.course.id, title: s.course.title, slug: s.course.slug },
    student_id: s.studentId,
    coach_id: s.coachId,
    locked_amount: s.lockedMinor,
    currency: s.currency,
    price_per_minute: s.pricePerMinuteMinor,
    payment: {
      payment_intent_id: s.paymentIntentId,
      client_secret: viewer.id === s.studentId && s.status === 'locked' ? s.paymentClientSecret : null,
      authorised: s.authorisedAt !== null,
    },
    started_at: s.startedAt?.toISOString() ?? null,
    last_heartbeat_at: s.lastHeartbeatAt?.toISOString() ?? null,
    duration_seconds: s.durationSeconds,
    billed_seconds: billed,
    running_cost:
      s.capturedMinor ??
      costMinor(billed, { pricePerMinuteMinor: s.pricePerMinuteMinor, lockedMinor: s.lockedMinor }),
    completion_pct: s.completionPct,
    content_progress: (s.contentProgress ?? {}) as unknown as Record<string, LectureProgress>,
    end_reason: s.endReason,
    captured_amount: s.capturedMinor,
    released_amount: s.releasedMinor,
    refunded_amount: s.refundedMinor,
    settled_at: s.settledAt?.toISOString() ?? null,
    created_at: s.createdAt.toISOString(),
  };
}

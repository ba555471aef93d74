import { z } from '@hono/zod-openapi';
import {
  MAX_LOCKED_MINOR,
  MAX_SEQ,
  MAX_SESSION_SECONDS,
  MIN_LOCKED_MINOR,
} from '../../domain/paid-sessions/metering';
import { pagination } from '../openapi';

// Seed 002's shapes, snake_case as published. Amounts are integer minor units of `currency`.

const STATUSES = ['locked', 'active', 'completed', 'cancelled'] as const;

export const CreatePaidSessionBody = z
  .object({
    course_id: z.uuid(),
    /** The most the session may cost: held on the card (manual capture) until it settles. */
    locked_amount: z.number().int().min(MIN_LOCKED_MINOR).max(MAX_LOCKED_MINOR),
    /** Optional, for seed 002's clients: must be the caller. */
    student_id: z.uuid().optional(),
  })
  .strict();

export const MetricsBody = z
  .object({
    seq: z.number().int().min(0).max(MAX_SEQ),
    duration_seconds: z.number().int().min(0).max(MAX_SESSION_SECONDS),
    completion_pct: z.number().min(0).max(100),
    /** The lecture's position in the course (1 = first). */
    current_lecture: z.number().int().min(0).max(100_000),
    position_seconds: z.number().min(0).max(MAX_SESSION_SECONDS),
  })
  .strict();

export const ListPaidSessionsQuery = z.object({ status: z.enum(STATUSES).optional(), ...pagination });

const LectureProgressSchema = z.object({
  position_seconds: z.number(),
  last_duration_seconds: z.number().int(),
});

/** The running meter, as the session and each heartbeat's answer report it. */
const meter = {
  duration_seconds: z.number().int(),
  /** max(duration_seconds, server-observed watch time): what the cost is computed from. */
  billed_seconds: z.number().int(),
  /** floor(billed_seconds × price_per_minute / 60), never above locked_amount. */
  running_cost: z.number().int(),
};

/** How far the student got, overall and per lecture. */
const progress = {
  completion_pct: z.number(),
  content_progress: z.record(z.string(), LectureProgressSchema),
};

export const PaidSessionSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(STATUSES),
    course: z.object({ id: z.uuid(), title: z.string(), slug: z.string() }),
    student_id: z.uuid(),
    coach_id: z.uuid(),
    locked_amount: z.number().int(),
    currency: z.string(),
    price_per_minute: z.number().int(),
    payment: z.object({
      payment_intent_id: z.string().nullable(),
      /** For Stripe.js; only the student sees it, only while the session is locked. */
      client_secret: z.string().nullable(),
      authorised: z.boolean(),
    }),
    started_at: z.string().nullable(),
    last_heartbeat_at: z.string().nullable(),
    ...meter,
    ...progress,
    end_reason: z.string().nullable(),
    captured_amount: z.number().int().nullable(),
    released_amount: z.number().int().nullable(),
    refunded_amount: z.number().int(),
    settled_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('PaidSession');

export const OnePaidSession = z.object({ session: PaidSessionSchema });

export const MetricsAnswer = z
  .object({
    session_id: z.uuid(),
    seq: z.number().int(),
    /** The seq was already recorded: nothing changed. */
    duplicate: z.boolean(),
    ...meter,
    locked_amount: z.number().int(),
    remaining: z.number().int(),
    currency: z.string(),
    ...progress,
    funds_used_up: z.boolean(),
  })
  .openapi('PaidSessionMetrics');

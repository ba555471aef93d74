-- Paid sessions (issue 11, seed 002): pay-per-minute viewing of a course, metered by heartbeats.

-- CreateEnum
CREATE TYPE "PaidSessionStatus" AS ENUM ('locked', 'active', 'completed', 'cancelled');

-- CreateTable
CREATE TABLE "paid_sessions" (
    "id" UUID NOT NULL,
    "student_id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "status" "PaidSessionStatus" NOT NULL DEFAULT 'locked',
    "locked_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "price_per_minute_minor" INTEGER NOT NULL,
    "lecture_positions" INTEGER[],
    "payment_intent_id" TEXT,
    "payment_client_secret" TEXT,
    "authorised_minor" INTEGER,
    "authorised_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "last_heartbeat_at" TIMESTAMPTZ(3),
    "duration_seconds" INTEGER NOT NULL DEFAULT 0,
    "observed_ms" BIGINT NOT NULL DEFAULT 0,
    "completion_pct" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "content_progress" JSONB DEFAULT '{}',
    "heartbeat_count" INTEGER NOT NULL DEFAULT 0,
    "exhausted_seq" INTEGER,
    "end_reason" TEXT,
    "billed_seconds" INTEGER,
    "captured_minor" INTEGER,
    "released_minor" INTEGER,
    "refunded_minor" INTEGER NOT NULL DEFAULT 0,
    "disputed_at" TIMESTAMPTZ(3),
    "settled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "paid_sessions_pkey" PRIMARY KEY ("id"),
    -- The bounds of src/domain/billing/metering.ts, kept by the database too: money never above the lock.
    CONSTRAINT "paid_sessions_amounts_check" CHECK (
        "locked_minor" > 0 AND "price_per_minute_minor" > 0
        AND "duration_seconds" >= 0 AND "observed_ms" >= 0
        AND ("captured_minor" IS NULL OR ("captured_minor" >= 0 AND "captured_minor" <= "locked_minor"))
        AND ("released_minor" IS NULL OR "released_minor" = "locked_minor" - "captured_minor")
        AND "refunded_minor" >= 0 AND "refunded_minor" <= COALESCE("captured_minor", 0)
    ),
    CONSTRAINT "paid_sessions_completion_check" CHECK ("completion_pct" >= 0 AND "completion_pct" <= 100),
    CONSTRAINT "paid_sessions_currency_check" CHECK ("currency" ~ '^[a-z]{3}$')
);

-- CreateTable
CREATE TABLE "paid_session_heartbeats" (
    "session_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "duration_seconds" INTEGER NOT NULL,
    "completion_pct" DOUBLE PRECISION NOT NULL,
    "lecture" INTEGER NOT NULL,
    "position_seconds" DOUBLE PRECISION NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "paid_session_heartbeats_pkey" PRIMARY KEY ("session_id","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "paid_sessions_payment_intent_id_key" ON "paid_sessions"("payment_intent_id");

-- CreateIndex
CREATE INDEX "paid_sessions_student_id_created_at_idx" ON "paid_sessions"("student_id", "created_at");

-- CreateIndex
CREATE INDEX "paid_sessions_coach_id_created_at_idx" ON "paid_sessions"("coach_id", "created_at");

-- CreateIndex
CREATE INDEX "paid_sessions_course_id_idx" ON "paid_sessions"("course_id");

-- AddForeignKey
ALTER TABLE "paid_sessions" ADD CONSTRAINT "paid_sessions_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "paid_sessions" ADD CONSTRAINT "paid_sessions_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "paid_sessions" ADD CONSTRAINT "paid_sessions_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "paid_session_heartbeats" ADD CONSTRAINT "paid_session_heartbeats_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "paid_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Needed for the exclusion constraint below: GiST support for = on uuid.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- CreateEnum
CREATE TYPE "BookingStatus" AS ENUM ('PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'COMPLETED', 'NO_SHOW');

-- CreateTable
CREATE TABLE "booking_services" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "duration_min" INTEGER NOT NULL,
    "price_minor" INTEGER NOT NULL DEFAULT 0,
    "currency" CHAR(3) NOT NULL,
    "buffer_before_min" INTEGER NOT NULL DEFAULT 0,
    "buffer_after_min" INTEGER NOT NULL DEFAULT 0,
    "minimum_notice_min" INTEGER NOT NULL DEFAULT 0,
    "horizon_days" INTEGER NOT NULL DEFAULT 60,
    "slot_interval_min" INTEGER,
    "daily_limit" INTEGER,
    "weekly_limit" INTEGER,
    "cancellation_policy" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "booking_services_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "booking_services_duration_check" CHECK ("duration_min" > 0),
    CONSTRAINT "booking_services_price_check" CHECK ("price_minor" >= 0),
    CONSTRAINT "booking_services_buffers_check" CHECK ("buffer_before_min" >= 0 AND "buffer_after_min" >= 0)
);

-- CreateTable
CREATE TABLE "availability_windows" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "day_of_week" INTEGER NOT NULL,
    "start_time" TEXT NOT NULL,
    "end_time" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "availability_windows_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "availability_windows_day_check" CHECK ("day_of_week" BETWEEN 0 AND 6)
);

-- CreateTable
CREATE TABLE "availability_overrides" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "date" DATE NOT NULL,
    "windows" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "availability_overrides_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "availability_blackouts" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "availability_blackouts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "availability_blackouts_range_check" CHECK ("ends_at" > "starts_at")
);

-- CreateTable
CREATE TABLE "bookings" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "athlete_id" UUID NOT NULL,
    "service_id" UUID NOT NULL,
    "status" "BookingStatus" NOT NULL DEFAULT 'PENDING',
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "blocked_start" TIMESTAMPTZ(3) NOT NULL,
    "blocked_end" TIMESTAMPTZ(3) NOT NULL,
    "buffer_before_min" INTEGER NOT NULL,
    "buffer_after_min" INTEGER NOT NULL,
    "time_zone" TEXT,
    "notes" TEXT NOT NULL DEFAULT '',
    "price_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "payment_intent_id" TEXT,
    "payment_client_secret" TEXT,
    "paid_at" TIMESTAMPTZ(3),
    "amount_paid_minor" INTEGER NOT NULL DEFAULT 0,
    "refund_due_minor" INTEGER NOT NULL DEFAULT 0,
    "refund_id" TEXT,
    "refunded_minor" INTEGER NOT NULL DEFAULT 0,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "reschedule_count" INTEGER NOT NULL DEFAULT 0,
    "cancelled_at" TIMESTAMPTZ(3),
    "cancelled_by" TEXT,
    "cancel_reason" TEXT,
    "refund_rule" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bookings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "bookings_range_check" CHECK ("ends_at" > "starts_at" AND "blocked_start" <= "starts_at" AND "blocked_end" >= "ends_at"),
    CONSTRAINT "bookings_not_self" CHECK ("coach_id" <> "athlete_id"),
    CONSTRAINT "bookings_money_check" CHECK ("price_minor" >= 0 AND "amount_paid_minor" >= 0 AND "refunded_minor" >= 0 AND "refund_due_minor" >= 0 AND "refunded_minor" <= "amount_paid_minor"),
    CONSTRAINT "bookings_cancelled_by_check" CHECK ("cancelled_by" IS NULL OR "cancelled_by" IN ('athlete', 'coach'))
);

-- CreateTable
CREATE TABLE "stripe_webhook_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "object_id" TEXT,
    "routed_to" TEXT,
    "routed_at" TIMESTAMPTZ(3),
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "booking_services_coach_id_idx" ON "booking_services"("coach_id");

-- CreateIndex
CREATE INDEX "availability_windows_coach_id_idx" ON "availability_windows"("coach_id");

-- CreateIndex
CREATE UNIQUE INDEX "availability_overrides_coach_id_date_key" ON "availability_overrides"("coach_id", "date");

-- CreateIndex
CREATE INDEX "availability_blackouts_coach_id_starts_at_idx" ON "availability_blackouts"("coach_id", "starts_at");

-- CreateIndex
CREATE INDEX "bookings_coach_id_starts_at_idx" ON "bookings"("coach_id", "starts_at");

-- CreateIndex
CREATE INDEX "bookings_athlete_id_starts_at_idx" ON "bookings"("athlete_id", "starts_at");

-- CreateIndex
CREATE INDEX "bookings_service_id_idx" ON "bookings"("service_id");

-- AddForeignKey
ALTER TABLE "booking_services" ADD CONSTRAINT "booking_services_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "availability_windows" ADD CONSTRAINT "availability_windows_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "availability_overrides" ADD CONSTRAINT "availability_overrides_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "availability_blackouts" ADD CONSTRAINT "availability_blackouts_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_athlete_id_fkey" FOREIGN KEY ("athlete_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "booking_services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The double-booking guard (not expressible in schema.prisma): no two active bookings of one coach
-- may have overlapping blocked ranges (slot plus buffers). Half-open '[)' ranges, so back-to-back
-- bookings are allowed. A violation raises SQLSTATE 23P01, which the API answers with 409 slot_taken.
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap" EXCLUDE USING gist (
    "coach_id" WITH =,
    tstzrange("blocked_start", "blocked_end", '[)') WITH &&
) WHERE ("status" IN ('PENDING', 'CONFIRMED'));

-- Issue 12: subscriptions (the projection of subscription-<userId>) and the role-change audit.

-- CreateEnum
CREATE TYPE "RoleChangeSource" AS ENUM ('billing', 'operator', 'seed');

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "stripe_customer_id" TEXT,
    "stripe_subscription_id" TEXT,
    "plan" "Role",
    "seat_tier" TEXT,
    "status" TEXT NOT NULL DEFAULT 'none',
    "current_period_end" TIMESTAMPTZ(3),
    "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
    "pending_plan" "Role",
    "pending_seat_tier" TEXT,
    "last_event_at" TIMESTAMPTZ(3),
    "dunning_started_at" TIMESTAMPTZ(3),
    "dunning_emails_sent" INTEGER NOT NULL DEFAULT 0,
    "grace_ends_at" TIMESTAMPTZ(3),
    "client_secret" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_changes" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "from_role" "Role" NOT NULL,
    "to_role" "Role" NOT NULL,
    "source" "RoleChangeSource" NOT NULL,
    "applied" BOOLEAN NOT NULL DEFAULT true,
    "reason" TEXT NOT NULL,
    "actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "role_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "subscriptions_user_id_key" ON "subscriptions"("user_id");

-- CreateIndex
CREATE INDEX "role_changes_user_id_created_at_idx" ON "role_changes"("user_id", "created_at");

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "role_changes" ADD CONSTRAINT "role_changes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

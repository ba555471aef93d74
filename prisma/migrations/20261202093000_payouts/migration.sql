-- Payouts (issue 11): coaches' Stripe Connect accounts and the transfers of their available balance.

-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('pending', 'in_transit', 'paid', 'failed');

-- CreateTable
CREATE TABLE "connect_accounts" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "stripe_account_id" TEXT NOT NULL,
    "charges_enabled" BOOLEAN NOT NULL DEFAULT false,
    "payouts_enabled" BOOLEAN NOT NULL DEFAULT false,
    "details_submitted" BOOLEAN NOT NULL DEFAULT false,
    "requirements_due" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "disabled_reason" TEXT,
    "stripe_event_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connect_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payouts" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "period" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "PayoutStatus" NOT NULL DEFAULT 'pending',
    "failure_reason" TEXT,
    "stripe_account_id" TEXT,
    "stripe_transfer_id" TEXT,
    "workflow_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "paid_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),

    CONSTRAINT "payouts_pkey" PRIMARY KEY ("id"),
    -- A payout moves money: a positive amount in minor units, a lower-case currency code.
    CONSTRAINT "payouts_amount_check" CHECK ("amount_minor" > 0),
    CONSTRAINT "payouts_currency_check" CHECK ("currency" ~ '^[a-z]{3}$'),
    CONSTRAINT "payouts_period_check" CHECK (length("period") BETWEEN 1 AND 64),
    -- Failed payouts say why; paid ones name their transfer.
    CONSTRAINT "payouts_failed_reason_check" CHECK ("status" <> 'failed' OR "failure_reason" IS NOT NULL),
    CONSTRAINT "payouts_paid_transfer_check" CHECK ("status" <> 'paid' OR "stripe_transfer_id" IS NOT NULL)
);

-- CreateIndex
CREATE UNIQUE INDEX "connect_accounts_coach_id_key" ON "connect_accounts"("coach_id");

-- CreateIndex
CREATE UNIQUE INDEX "connect_accounts_stripe_account_id_key" ON "connect_accounts"("stripe_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "payouts_stripe_transfer_id_key" ON "payouts"("stripe_transfer_id");

-- CreateIndex
CREATE INDEX "payouts_coach_id_created_at_idx" ON "payouts"("coach_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "payouts_coach_id_period_currency_key" ON "payouts"("coach_id", "period", "currency");

-- AddForeignKey
ALTER TABLE "connect_accounts" ADD CONSTRAINT "connect_accounts_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

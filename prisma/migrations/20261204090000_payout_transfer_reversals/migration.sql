-- Transfer reversals of made payouts (Stripe transfer.reversed; docs/adr/0018). The ledger holds each
-- reversal (payout_reversal:<payout id>:<reversal id>); the payout row keeps their total, written in
-- the same transaction, so the coach's payout history shows it. The status stays what the transfer
-- made it (`paid`): a reversal is a later event on a payout that was made.

-- AlterTable
ALTER TABLE "payouts" ADD COLUMN "amount_reversed_minor" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "reversed_at" TIMESTAMPTZ(3);

-- Never more than was paid out, only on a payout that has a transfer, and dated once anything is.
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_amount_reversed_check"
    CHECK ("amount_reversed_minor" BETWEEN 0 AND "amount_minor"),
ADD CONSTRAINT "payouts_reversed_transfer_check"
    CHECK ("amount_reversed_minor" = 0 OR "stripe_transfer_id" IS NOT NULL),
ADD CONSTRAINT "payouts_reversed_at_check"
    CHECK (("amount_reversed_minor" = 0) = ("reversed_at" IS NULL));

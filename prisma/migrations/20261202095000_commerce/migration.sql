-- Issue 13: packages, purchases, package credits for bookings, analytics events and their daily rollup.

-- CreateEnum
CREATE TYPE "ProductType" AS ENUM ('PRODUCT', 'PACKAGE');

-- CreateEnum
CREATE TYPE "PurchaseStatus" AS ENUM ('PENDING', 'PAID', 'EXPIRED', 'REFUNDED');

-- AlterTable
ALTER TABLE "products" ADD COLUMN "type" "ProductType" NOT NULL DEFAULT 'PRODUCT',
ADD COLUMN "credit_service_id" UUID,
ADD COLUMN "credit_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "expiry_days" INTEGER,
ADD COLUMN "archived_at" TIMESTAMPTZ(3),
ADD CONSTRAINT "products_credits_check" CHECK ("credit_count" >= 0 AND ("credit_count" = 0 OR "credit_service_id" IS NOT NULL) AND ("expiry_days" IS NULL OR "expiry_days" > 0));

-- AlterTable
ALTER TABLE "bookings" ADD COLUMN "credit_grant_id" UUID,
ADD COLUMN "credit_returned_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "package_items" (
    "package_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,

    CONSTRAINT "package_items_pkey" PRIMARY KEY ("package_id","product_id"),
    CONSTRAINT "package_items_not_self" CHECK ("package_id" <> "product_id")
);

-- CreateTable
CREATE TABLE "purchases" (
    "id" UUID NOT NULL,
    "buyer_id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "status" "PurchaseStatus" NOT NULL DEFAULT 'PENDING',
    "title" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "payment_intent_id" TEXT,
    "payment_client_secret" TEXT,
    "paid_at" TIMESTAMPTZ(3),
    "expired_at" TIMESTAMPTZ(3),
    "refund_id" TEXT,
    "refunded_minor" INTEGER NOT NULL DEFAULT 0,
    "refunded_at" TIMESTAMPTZ(3),
    "refund_note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "purchases_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "purchases_not_self" CHECK ("buyer_id" <> "coach_id"),
    CONSTRAINT "purchases_money_check" CHECK ("amount_minor" > 0 AND "refunded_minor" >= 0 AND "refunded_minor" <= "amount_minor")
);

-- CreateTable
CREATE TABLE "credit_grants" (
    "id" UUID NOT NULL,
    "purchase_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "service_id" UUID NOT NULL,
    "total" INTEGER NOT NULL,
    "remaining" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_grants_pkey" PRIMARY KEY ("id"),
    -- The last line of defence against a credit spent twice: remaining can never go negative.
    CONSTRAINT "credit_grants_remaining_check" CHECK ("remaining" >= 0 AND "remaining" <= "total" AND "revoked_count" >= 0)
);

-- CreateTable
CREATE TABLE "analytics_events" (
    "key" TEXT NOT NULL,
    "coach_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_id" UUID,
    "amount_minor" INTEGER,
    "currency" CHAR(3),
    "path" TEXT,

    CONSTRAINT "analytics_events_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "analytics_daily" (
    "coach_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "type" TEXT NOT NULL,
    "currency" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,
    "amount_minor" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "analytics_daily_pkey" PRIMARY KEY ("coach_id","day","type","currency")
);

-- CreateTable
CREATE TABLE "analytics_rollup_state" (
    "id" TEXT NOT NULL,
    "refreshed_through" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "analytics_rollup_state_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "package_items_product_id_idx" ON "package_items"("product_id");

-- CreateIndex
CREATE UNIQUE INDEX "purchases_payment_intent_id_key" ON "purchases"("payment_intent_id");

-- CreateIndex
CREATE INDEX "purchases_buyer_id_created_at_idx" ON "purchases"("buyer_id", "created_at");

-- CreateIndex
CREATE INDEX "purchases_coach_id_created_at_idx" ON "purchases"("coach_id", "created_at");

-- CreateIndex
CREATE INDEX "purchases_product_id_idx" ON "purchases"("product_id");

-- CreateIndex
CREATE UNIQUE INDEX "credit_grants_purchase_id_service_id_key" ON "credit_grants"("purchase_id", "service_id");

-- CreateIndex
CREATE INDEX "credit_grants_user_id_service_id_expires_at_idx" ON "credit_grants"("user_id", "service_id", "expires_at");

-- CreateIndex
CREATE INDEX "analytics_events_received_at_idx" ON "analytics_events"("received_at");

-- CreateIndex
CREATE INDEX "analytics_events_coach_id_occurred_at_idx" ON "analytics_events"("coach_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_credit_service_id_fkey" FOREIGN KEY ("credit_service_id") REFERENCES "booking_services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_credit_grant_id_fkey" FOREIGN KEY ("credit_grant_id") REFERENCES "credit_grants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "package_items" ADD CONSTRAINT "package_items_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "package_items" ADD CONSTRAINT "package_items_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchases" ADD CONSTRAINT "purchases_buyer_id_fkey" FOREIGN KEY ("buyer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchases" ADD CONSTRAINT "purchases_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "purchases" ADD CONSTRAINT "purchases_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_grants" ADD CONSTRAINT "credit_grants_purchase_id_fkey" FOREIGN KEY ("purchase_id") REFERENCES "purchases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_grants" ADD CONSTRAINT "credit_grants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_grants" ADD CONSTRAINT "credit_grants_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "booking_services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

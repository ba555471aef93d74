-- Issue 11: the double-entry ledger (docs/adr/0013-ledger.md).

-- CreateEnum
CREATE TYPE "LedgerKind" AS ENUM ('authorisation', 'capture', 'release', 'refund', 'payout', 'payout_reversal', 'booking_payment', 'booking_refund', 'purchase', 'purchase_refund');

-- CreateTable
CREATE TABLE "ledger_transactions" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "kind" "LedgerKind" NOT NULL,
    "reference" TEXT NOT NULL,
    "coach_id" TEXT,
    "amount_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "memo" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transactions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_transactions_amount_check" CHECK ("amount_minor" >= 0),
    CONSTRAINT "ledger_transactions_currency_check" CHECK ("currency" ~ '^[a-z]{3}$')
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" UUID NOT NULL,
    "account" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amount_minor" BIGINT NOT NULL,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_entries_amount_check" CHECK ("amount_minor" <> 0),
    CONSTRAINT "ledger_entries_currency_check" CHECK ("currency" ~ '^[a-z]{3}$')
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transactions_key_key" ON "ledger_transactions"("key");

-- CreateIndex
CREATE INDEX "ledger_transactions_coach_id_occurred_at_idx" ON "ledger_transactions"("coach_id", "occurred_at");

-- CreateIndex
CREATE INDEX "ledger_transactions_reference_idx" ON "ledger_transactions"("reference");

-- CreateIndex
CREATE INDEX "ledger_transactions_occurred_at_idx" ON "ledger_transactions"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_transaction_id_account_currency_key" ON "ledger_entries"("transaction_id", "account", "currency");

-- CreateIndex
CREATE INDEX "ledger_entries_account_currency_idx" ON "ledger_entries"("account", "currency");

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transactions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every transaction balances per currency, checked at COMMIT (a deferred constraint trigger), so the
-- lines of one transaction may be inserted in any order and in any number of statements, but no
-- writer — the activity, a script, a hand-typed INSERT — can commit an unbalanced one.
CREATE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad RECORD;
BEGIN
    SELECT "currency", sum("amount_minor") AS total INTO bad
    FROM "ledger_entries" WHERE "transaction_id" = NEW."transaction_id"
    GROUP BY "currency" HAVING sum("amount_minor") <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in % (sum %)', NEW."transaction_id", bad."currency", bad.total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "ledger_entries_balanced"
    AFTER INSERT ON "ledger_entries"
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION "ledger_check_balanced"();

-- Append-only: balances are sums over these rows, so a changed or deleted row would silently change
-- history. A mistake is corrected by posting a further transaction.
CREATE FUNCTION "ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only (% on %): post a correcting transaction instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'object_not_in_prerequisite_state';
END
$$;

CREATE TRIGGER "ledger_transactions_append_only"
    BEFORE UPDATE OR DELETE ON "ledger_transactions"
    FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();

CREATE TRIGGER "ledger_entries_append_only"
    BEFORE UPDATE OR DELETE ON "ledger_entries"
    FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();

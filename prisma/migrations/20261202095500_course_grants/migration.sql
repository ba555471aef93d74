-- Issue 13: a package may include one of the coach's courses; paying for it grants course access.

-- AlterTable
ALTER TABLE "products" ADD COLUMN "course_id" UUID;

-- CreateIndex
-- Deleting a course sets products.course_id to NULL: without this index that is a scan of products.
CREATE INDEX "products_course_id_idx" ON "products"("course_id");

-- CreateTable
CREATE TABLE "course_grants" (
    "id" UUID NOT NULL,
    "purchase_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "course_grants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "course_grants_purchase_id_course_id_key" ON "course_grants"("purchase_id", "course_id");

-- CreateIndex
CREATE INDEX "course_grants_user_id_course_id_idx" ON "course_grants"("user_id", "course_id");

-- CreateIndex
CREATE INDEX "course_grants_course_id_idx" ON "course_grants"("course_id");

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_grants" ADD CONSTRAINT "course_grants_purchase_id_fkey" FOREIGN KEY ("purchase_id") REFERENCES "purchases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_grants" ADD CONSTRAINT "course_grants_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

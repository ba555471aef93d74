-- CreateEnum
CREATE TYPE "CourseAccessType" AS ENUM ('free', 'paid_per_minute', 'email_gate', 'membership');

-- CreateTable
CREATE TABLE "courses" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "access_type" "CourseAccessType" NOT NULL,
    "price_per_minute_minor" INTEGER NOT NULL DEFAULT 0,
    "currency" CHAR(3) NOT NULL,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "published_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "courses_pkey" PRIMARY KEY ("id"),
    -- The rules of src/domain/courses/course.ts, kept by the database too.
    CONSTRAINT "courses_slug_check" CHECK ("slug" ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length("slug") <= 80),
    CONSTRAINT "courses_price_check" CHECK (
        ("access_type" = 'paid_per_minute' AND "price_per_minute_minor" > 0)
        OR ("access_type" <> 'paid_per_minute' AND "price_per_minute_minor" = 0)
    ),
    CONSTRAINT "courses_currency_check" CHECK ("currency" ~ '^[a-z]{3}$')
);

-- CreateTable
CREATE TABLE "course_lectures" (
    "id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "duration_seconds" INTEGER NOT NULL,
    "video_id" UUID NOT NULL,
    "start_seconds" INTEGER,
    "end_seconds" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "course_lectures_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "course_lectures_duration_check" CHECK ("duration_seconds" > 0),
    CONSTRAINT "course_lectures_range_check" CHECK (
        ("start_seconds" IS NULL OR "start_seconds" >= 0)
        AND ("end_seconds" IS NULL OR "end_seconds" > COALESCE("start_seconds", 0))
    )
);

-- CreateTable
CREATE TABLE "course_enrollments" (
    "course_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "email_consent_at" TIMESTAMPTZ(3),
    "consent_email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "course_enrollments_pkey" PRIMARY KEY ("course_id","user_id")
);

-- CreateTable
CREATE TABLE "course_lecture_progress" (
    "course_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "lecture_id" UUID NOT NULL,
    "position_seconds" INTEGER NOT NULL DEFAULT 0,
    "completed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "course_lecture_progress_pkey" PRIMARY KEY ("user_id","lecture_id"),
    CONSTRAINT "course_lecture_progress_position_check" CHECK ("position_seconds" >= 0)
);

-- CreateIndex
CREATE UNIQUE INDEX "courses_slug_key" ON "courses"("slug");

-- CreateIndex
CREATE INDEX "courses_coach_id_created_at_idx" ON "courses"("coach_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "course_lectures_course_id_position_key" ON "course_lectures"("course_id", "position");

-- CreateIndex
CREATE INDEX "course_lectures_video_id_idx" ON "course_lectures"("video_id");

-- CreateIndex
CREATE INDEX "course_enrollments_user_id_created_at_idx" ON "course_enrollments"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "course_lecture_progress_course_id_user_id_idx" ON "course_lecture_progress"("course_id", "user_id");

-- CreateIndex
CREATE INDEX "course_lecture_progress_lecture_id_idx" ON "course_lecture_progress"("lecture_id");

-- AddForeignKey
ALTER TABLE "courses" ADD CONSTRAINT "courses_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_lectures" ADD CONSTRAINT "course_lectures_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_lectures" ADD CONSTRAINT "course_lectures_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "videos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_enrollments" ADD CONSTRAINT "course_enrollments_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_enrollments" ADD CONSTRAINT "course_enrollments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_lecture_progress" ADD CONSTRAINT "course_lecture_progress_course_id_user_id_fkey" FOREIGN KEY ("course_id", "user_id") REFERENCES "course_enrollments"("course_id", "user_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "course_lecture_progress" ADD CONSTRAINT "course_lecture_progress_lecture_id_fkey" FOREIGN KEY ("lecture_id") REFERENCES "course_lectures"("id") ON DELETE CASCADE ON UPDATE CASCADE;

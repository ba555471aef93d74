-- CreateEnum
CREATE TYPE "VideoStatus" AS ENUM ('pending', 'uploaded', 'processing', 'ready', 'failed');

-- CreateEnum
CREATE TYPE "AnalysisStatus" AS ENUM ('pending', 'running', 'done', 'skipped', 'failed');

-- CreateEnum
CREATE TYPE "MomentType" AS ENUM ('key_moment', 'dismissal', 'form_issue', 'highlight');

-- CreateEnum
CREATE TYPE "ClipStatus" AS ENUM ('pending', 'processing', 'ready', 'failed');

-- CreateEnum
CREATE TYPE "AnnotationKind" AS ENUM ('note', 'marker', 'drawing');

-- CreateTable
CREATE TABLE "video_sessions" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "notes" TEXT,
    "player_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "status" "VideoStatus" NOT NULL DEFAULT 'pending',
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "video_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "videos" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "declared_bytes" BIGINT NOT NULL,
    "size_bytes" BIGINT,
    "reserved_bytes" BIGINT NOT NULL DEFAULT 0,
    "source_key" TEXT NOT NULL,
    "upload_id" TEXT,
    "part_size" INTEGER NOT NULL,
    "part_count" INTEGER NOT NULL,
    "upload_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "VideoStatus" NOT NULL DEFAULT 'pending',
    "stage" TEXT NOT NULL DEFAULT 'awaiting_upload',
    "failure_kind" TEXT,
    "failure_reason" TEXT,
    "container" TEXT,
    "duration_seconds" DOUBLE PRECISION,
    "width" INTEGER,
    "height" INTEGER,
    "media" JSONB,
    "renditions" JSONB NOT NULL DEFAULT '[]',
    "poster_key" TEXT,
    "analysis_status" "AnalysisStatus" NOT NULL DEFAULT 'pending',
    "analysis_reason" TEXT,
    "analysis_key" TEXT,
    "analysis" JSONB,
    "ai_report_period" TEXT,
    "shared_player_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "runs" INTEGER NOT NULL DEFAULT 0,
    "uploaded_at" TIMESTAMPTZ(3),
    "ready_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "videos_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "videos_declared_bytes_check" CHECK ("declared_bytes" > 0),
    CONSTRAINT "videos_reserved_bytes_check" CHECK ("reserved_bytes" >= 0),
    CONSTRAINT "videos_parts_check" CHECK ("part_count" BETWEEN 1 AND 10000 AND "part_size" >= 5242880)
);

-- CreateTable
CREATE TABLE "clips" (
    "id" UUID NOT NULL,
    "video_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "moment_type" "MomentType" NOT NULL,
    "start_seconds" DOUBLE PRECISION NOT NULL,
    "end_seconds" DOUBLE PRECISION NOT NULL,
    "player_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "status" "ClipStatus" NOT NULL DEFAULT 'pending',
    "failure_reason" TEXT,
    "trim_mode" TEXT,
    "key" TEXT,
    "poster_key" TEXT,
    "size_bytes" BIGINT,
    "reserved_bytes" BIGINT NOT NULL DEFAULT 0,
    "duration_seconds" DOUBLE PRECISION,
    "width" INTEGER,
    "height" INTEGER,
    "ready_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "clips_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "clips_range_check" CHECK ("start_seconds" >= 0 AND "end_seconds" > "start_seconds"),
    CONSTRAINT "clips_reserved_bytes_check" CHECK ("reserved_bytes" >= 0)
);

-- CreateTable
CREATE TABLE "video_annotations" (
    "id" UUID NOT NULL,
    "video_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "kind" "AnnotationKind" NOT NULL,
    "at_seconds" DOUBLE PRECISION NOT NULL,
    "end_seconds" DOUBLE PRECISION,
    "text" TEXT,
    "shapes" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "video_annotations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "video_annotations_time_check" CHECK ("at_seconds" >= 0 AND ("end_seconds" IS NULL OR "end_seconds" >= "at_seconds"))
);

-- CreateIndex
CREATE INDEX "video_sessions_coach_id_created_at_idx" ON "video_sessions"("coach_id", "created_at");

-- CreateIndex
CREATE INDEX "video_sessions_player_ids_idx" ON "video_sessions" USING GIN ("player_ids");

-- CreateIndex
CREATE INDEX "videos_session_id_created_at_idx" ON "videos"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "videos_coach_id_idx" ON "videos"("coach_id");

-- CreateIndex
CREATE INDEX "videos_shared_player_ids_idx" ON "videos" USING GIN ("shared_player_ids");

-- CreateIndex
CREATE INDEX "clips_video_id_idx" ON "clips"("video_id");

-- CreateIndex
CREATE INDEX "clips_coach_id_created_at_idx" ON "clips"("coach_id", "created_at");

-- CreateIndex
CREATE INDEX "clips_player_ids_idx" ON "clips" USING GIN ("player_ids");

-- CreateIndex
CREATE INDEX "video_annotations_video_id_at_seconds_idx" ON "video_annotations"("video_id", "at_seconds");

-- AddForeignKey
ALTER TABLE "video_sessions" ADD CONSTRAINT "video_sessions_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "videos" ADD CONSTRAINT "videos_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "video_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clips" ADD CONSTRAINT "clips_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "videos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "video_annotations" ADD CONSTRAINT "video_annotations_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "videos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

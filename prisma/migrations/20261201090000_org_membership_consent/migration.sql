-- Issue 9 #2 and #14: invitations by email, accepted by the invitee (docs/adr/0007).

-- CreateTable
CREATE TABLE "roster_invitations" (
    "id" UUID NOT NULL,
    "coach_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "invited_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "roster_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "org_invitations" (
    "id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" "OrgRole" NOT NULL,
    "invited_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "org_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "roster_invitations_coach_id_email_key" ON "roster_invitations"("coach_id", "email");

-- CreateIndex
CREATE INDEX "roster_invitations_email_idx" ON "roster_invitations"("email");

-- CreateIndex
CREATE UNIQUE INDEX "org_invitations_org_id_email_key" ON "org_invitations"("org_id", "email");

-- CreateIndex
CREATE INDEX "org_invitations_email_idx" ON "org_invitations"("email");

-- AddForeignKey
ALTER TABLE "roster_invitations" ADD CONSTRAINT "roster_invitations_coach_id_fkey" FOREIGN KEY ("coach_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "org_invitations" ADD CONSTRAINT "org_invitations_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "coach_players" ALTER COLUMN "status" SET DEFAULT 'active';

-- Pending roster entries become invitations to the player's address.
INSERT INTO "roster_invitations" ("id", "coach_id", "email", "invited_at")
SELECT gen_random_uuid(), cp."coach_id", u."email", cp."invited_at"
FROM "coach_players" cp JOIN "users" u ON u."id" = cp."player_id"
WHERE cp."status" = 'invited';
DELETE FROM "coach_players" WHERE "status" = 'invited';

-- Members other than the owner were added without being asked: they become invitations they may
-- accept or decline, holding the same role (and seat).
INSERT INTO "org_invitations" ("id", "org_id", "email", "role", "invited_at")
SELECT gen_random_uuid(), m."org_id", u."email", m."role", m."created_at"
FROM "org_members" m
JOIN "users" u ON u."id" = m."user_id"
JOIN "organisations" o ON o."id" = m."org_id"
WHERE m."user_id" <> o."owner_id";
DELETE FROM "org_members" m USING "organisations" o
WHERE o."id" = m."org_id" AND m."user_id" <> o."owner_id";

import type { Actor, ResourceFacts } from '../domain/identity/access';
import { limitFor, type Role } from '../domain/subscriptions/plans';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';
import { coachOwnedFacts, isOnRoster } from './access';
import { release, tryConsume } from './usage';

// Video records shared by the API and the activities: storage accounting, session status, roster
// checks and access facts. Object keys and S3 helpers live in src/infra (video-objects, object-files).

/** A rendition as stored on the video row (JSON). */
export interface StoredRendition {
  label: string;
  key: string;
  width: number;
  height: number;
  bytes: number;
  videoKbps: number;
  audioKbps: number;
}

// --- Storage quota -------------------------------------------------------------------------------------------

export function storageLimit(role: Role): number | null {
  return limitFor(role, 'storage_quota_bytes');
}

/** Takes `bytes` of the coach's storage quota; false when it does not fit (nothing taken then). */
export async function reserveStorage(db: Db, coachId: string, role: Role, bytes: number): Promise<boolean> {
  if (bytes <= 0) return true;
  return (await tryConsume(db, coachId, 'storage_bytes', bytes, storageLimit(role))) !== undefined;
}

export async function releaseStorage(db: Db, coachId: string, bytes: number): Promise<void> {
  if (bytes > 0) await release(db, coachId, 'storage_bytes', bytes);
}

// --- Sessions ---------------------------------------------------------------------------------------------------

/** A session shows the status of its most recent live video, or pending when it has none. */
export async function syncSessionStatus(db: Db, sessionId: string): Promise<void> {
  await db.$executeRaw`UPDATE video_sessions SET status = COALESCE(
      (SELECT v.status FROM videos v WHERE v.session_id = ${sessionId}::uuid AND v.deleted_at IS NULL ORDER BY v.created_at DESC LIMIT 1),
      'pending'::"VideoStatus"), updated_at = now()
    WHERE id = ${sessionId}::uuid`;
}

/** Player ids among `playerIds` that are not active roster players of the coach. */
export async function notOnRoster(db: Db, coachId: string, playerIds: readonly string[]): Promise<string[]> {
  if (playerIds.length === 0) return [];
  const rows = await db.coachPlayer.findMany({
    where: { coachId, playerId: { in: [...playerIds] }, status: 'active' },
    select: { playerId: true },
  });
  const active = new Set(rows.map((r) => r.playerId));
  return playerIds.filter((id) => !active.has(id));
}

// --- Access facts --------------------------------------------------------------------------------------------
//
// A player watches a coach's sessions, videos and clips only while on the coach's roster (active).
// Every way a player is named on them (a session's player_ids, a video's shared_player_ids, a clip's
// player_ids) could only name an active roster player, so all of it came through the roster and ends
// with it: removed by the coach or leaving, the player reaches nothing of the coach's. The names stay
// as the coach's record (who a session or clip is about; the library filters by them) and count
// again if the player rejoins. The coach can list them (src/app/videos/shares.ts).

/** The coaches whose active roster the player is on: whose media the player's lists may show. */
export async function coachesOfPlayer(db: Db, playerId: string): Promise<string[]> {
  const rows = await db.coachPlayer.findMany({
    where: { playerId, status: 'active' },
    select: { coachId: true },
  });
  return rows.map((r) => r.coachId);
}

/**
 * Facts for something of the coach's that names players: they may read it, except the actor when
 * named but not on the coach's roster now.
 */
async function namedPlayersFacts(
  db: Db,
  actor: Actor,
  kind: 'video_session' | 'clip',
  coachId: string,
  named: readonly string[],
): Promise<ResourceFacts> {
  const stillNamed =
    !named.includes(actor.id) || (await isOnRoster(db, coachId, actor.id))
      ? [...named]
      : named.filter((id) => id !== actor.id);
  return coachOwnedFacts(db, actor, kind, coachId, stillNamed);
}

/** Facts for a video session: its players may read it. */
export const videoSessionFacts = (db: Db, actor: Actor, session: { coachId: string; playerIds: string[] }) =>
  namedPlayersFacts(db, actor, 'video_session', session.coachId, session.playerIds);

/** Facts for a video: the session's players and the players it was shared with may read it. */
export const videoFacts = (
  db: Db,
  actor: Actor,
  video: { coachId: string; sharedPlayerIds: string[]; session: { playerIds: string[] } },
) =>
  namedPlayersFacts(db, actor, 'video_session', video.coachId, [
    ...video.session.playerIds,
    ...video.sharedPlayerIds,
  ]);

/** Facts for a clip: the players it is shared with may read it. */
export const clipFacts = (db: Db, actor: Actor, clip: { coachId: string; playerIds: string[] }) =>
  namedPlayersFacts(db, actor, 'clip', clip.coachId, clip.playerIds);

// --- Reservations held by videos and clips (idempotent: the row records what it holds) ----------------

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
const asDb = (tx: Tx) => tx as unknown as Db;

type Holder = 'videos' | 'clips';

/** The row's coach and what it holds of the quota, locked until the transaction ends. */
async function lockHolder(tx: Tx, holder: Holder, id: string) {
  const [row] = await tx.$queryRaw<{ coach_id: string; reserved_bytes: bigint }[]>`
    SELECT coach_id, reserved_bytes FROM ${Prisma.raw(holder)} WHERE id = ${id}::uuid FOR UPDATE`;
  return row;
}

/** Gives back everything the row holds; its reserved_bytes becomes 0 in the same transaction. */
async function releaseHeldIn(tx: Tx, holder: Holder, id: string): Promise<number> {
  const row = await lockHolder(tx, holder, id);
  if (!row || row.reserved_bytes === 0n) return 0;
  await tx.$executeRaw`UPDATE ${Prisma.raw(holder)} SET reserved_bytes = 0 WHERE id = ${id}::uuid`;
  await release(asDb(tx), row.coach_id, 'storage_bytes', Number(row.reserved_bytes));
  return Number(row.reserved_bytes);
}

/** Gives back everything the video holds of the quota; the row's reserved_bytes becomes 0 in the same transaction. */
export async function releaseVideoReservation(db: Db, videoId: string): Promise<number> {
  return db.$transaction((tx) => releaseHeldIn(tx, 'videos', videoId));
}

/** The same, inside a transaction the caller already holds (so a status change and the release are one). */
export function releaseVideoReservationIn(tx: Tx, videoId: string): Promise<number> {
  return releaseHeldIn(tx, 'videos', videoId);
}

export type ReconcileResult =
  | { ok: true; reservedBytes: number }
  | { ok: false; neededBytes: number; usedBytes: number; limitBytes: number | null };

/**
 * Makes what the video holds equal its real size: takes the difference from the quota (refusing when
 * it does not fit, nothing taken then) or gives the excess back.
 */
export async function reconcileVideoReservation(
  db: Db,
  videoId: string,
  role: Role,
  actualBytes: number,
): Promise<ReconcileResult> {
  return db.$transaction(async (tx) => {
    const row = await lockHolder(tx, 'videos', videoId);
    if (!row) throw new Error(`video ${videoId} not found`);
    const delta = actualBytes - Number(row.reserved_bytes);
    if (delta > 0) {
      const taken = await tryConsume(asDb(tx), row.coach_id, 'storage_bytes', delta, storageLimit(role));
      if (taken === undefined) {
        const [usage] = await tx.$queryRaw<{ used: bigint }[]>`
          SELECT used FROM usage_counters WHERE user_id = ${row.coach_id}::uuid AND metric = 'storage_bytes' AND period = 'total'`;
        return {
          ok: false,
          neededBytes: delta,
          usedBytes: Number(usage?.used ?? 0n),
          limitBytes: storageLimit(role),
        };
      }
    } else if (delta < 0) {
      await release(asDb(tx), row.coach_id, 'storage_bytes', -delta);
    }
    await tx.$executeRaw`UPDATE videos SET reserved_bytes = ${BigInt(actualBytes)} WHERE id = ${videoId}::uuid`;
    return { ok: true, reservedBytes: actualBytes };
  });
}

/** Takes a finished clip's size from the quota once (false when it does not fit). */
export async function reserveClipStorage(
  db: Db,
  clipId: string,
  role: Role,
  bytes: number,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await lockHolder(tx, 'clips', clipId);
    if (!row) return false;
    if (row.reserved_bytes > 0n) return true;
    const taken = await tryConsume(asDb(tx), row.coach_id, 'storage_bytes', bytes, storageLimit(role));
    if (taken === undefined) return false;
    await tx.$executeRaw`UPDATE clips SET reserved_bytes = ${BigInt(bytes)} WHERE id = ${clipId}::uuid`;
    return true;
  });
}

export async function releaseClipReservation(db: Db, clipId: string): Promise<number> {
  return db.$transaction((tx) => releaseHeldIn(tx, 'clips', clipId));
}

/** Link a coach follows from an email to the video (the API resource; the web app routes it). */
export function videoLink(publicBaseUrl: string, sessionId: string, videoId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/coaches/plus/sessions/${sessionId}/videos/${videoId}`;
}

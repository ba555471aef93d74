import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';
import {
  DURATION_TOLERANCE_SECONDS,
  OBSERVED_GAP_CAP_SECONDS,
  type Heartbeat,
} from '../domain/paid-sessions/metering';
import { recordHeartbeat, type HeartbeatRow } from './paid-sessions';

// Group commit for paid-session heartbeats (docs/adr/0012). A heartbeat is written at once while
// fewer than `maxInFlight` writes are under way; the ones that arrive meanwhile wait for the next
// free slot and are written together by paid_session_heartbeat_batch (migration 20261203090000):
// one round trip, one statement, one commit for the group. Nothing waits on a timer, so a lone
// heartbeat costs what it always did, and under load the groups grow with the load.
//
// A group is one transaction: if it fails as a whole (a lost connection, a statement error), each of
// its heartbeats is written again on its own, so one bad item cannot fail the others, and every
// item is idempotent by (session, seq), so a group that did commit before the error changes nothing
// the second time. The queue is bounded: past `maxQueued` waiting heartbeats the API answers 503
// and the player retries the same seq later.

export interface HeartbeatIngestOptions {
  /** Writes under way at once (each holds one pooled connection). */
  maxInFlight: number;
  /** Heartbeats per group at most. */
  maxBatch: number;
  /** Heartbeats waiting at most; beyond, record() rejects with IngestOverloaded. */
  maxQueued: number;
}

// Two writes at once: one executes while the other waits for its commit. With four, on the two-core
// machine the goal is set for, four busy backends competed with the API's event loop for the cores
// and groups that share sessions queued on each other's row locks; with two the groups grow (12–13
// heartbeats a write under full load instead of 7) and the stack sustains more (closed loop
// 2,490–2,780 → 2,580–2,920/s; docs/adr/0012, "what the tail was").
export const HEARTBEAT_INGEST_DEFAULTS: HeartbeatIngestOptions = {
  maxInFlight: 2,
  maxBatch: 200,
  maxQueued: 20_000,
};

export class IngestOverloaded extends Error {
  constructor() {
    super('heartbeat ingest queue is full');
    this.name = 'IngestOverloaded';
  }
}

/** One heartbeat to write: whose, for which session, under which login session. */
export interface HeartbeatWrite {
  sessionId: string;
  studentId: string;
  authSessionId: string;
  h: Heartbeat;
}

interface Item extends HeartbeatWrite {
  resolve(row: HeartbeatRow): void;
  reject(err: unknown): void;
}

export interface HeartbeatIngestStats {
  /** Writes sent (a group or a lone heartbeat is one). */
  writes: number;
  /** Heartbeats written. */
  heartbeats: number;
  /** Groups that failed as a whole and were written item by item. */
  fallbacks: number;
}

export class HeartbeatIngest {
  private readonly queue: Item[] = [];
  private inFlight = 0;
  readonly stats: HeartbeatIngestStats = { writes: 0, heartbeats: 0, fallbacks: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: HeartbeatIngestOptions = HEARTBEAT_INGEST_DEFAULTS,
  ) {}

  record(sessionId: string, studentId: string, authSessionId: string, h: Heartbeat): Promise<HeartbeatRow> {
    if (this.queue.length >= this.opts.maxQueued) return Promise.reject(new IngestOverloaded());
    return new Promise<HeartbeatRow>((resolve, reject) => {
      this.queue.push({ sessionId, studentId, authSessionId, h, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const group = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      void this.write(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async write(group: Item[]): Promise<void> {
    this.stats.writes++;
    this.stats.heartbeats += group.length;
    if (group.length === 1) return this.writeOne(group[0]!);
    let rows: (HeartbeatRow & { idx: number })[];
    try {
      rows = await this.db.$queryRaw<(HeartbeatRow & { idx: number })[]>(batchStatement(group));
    } catch {
      this.stats.fallbacks++;
      await Promise.all(group.map((item) => this.writeOne(item)));
      return;
    }
    const byIdx = new Map(rows.map((r) => [r.idx, r]));
    group.forEach((item, i) => {
      const row = byIdx.get(i);
      if (row) item.resolve(row);
      else item.reject(new Error('heartbeat group returned no row for an item'));
    });
  }

  private async writeOne(item: Item): Promise<void> {
    try {
      item.resolve(
        await recordHeartbeat(this.db, item.sessionId, item.studentId, item.authSessionId, item.h),
      );
    } catch (err) {
      item.reject(err);
    }
  }
}

/** A group's statement; its rows carry `idx`, the item's index in `group` (a test runs it directly). */
export function batchStatement(group: readonly HeartbeatWrite[]): Prisma.Sql {
  const items = group.map((it, i) => ({
    i,
    session: it.sessionId,
    student: it.studentId,
    auth: it.authSessionId,
    seq: it.h.seq,
    duration: it.h.durationSeconds,
    completion: it.h.completionPct,
    lecture: it.h.currentLecture,
    pos: it.h.positionSeconds,
  }));
  return Prisma.sql`SELECT * FROM paid_session_heartbeat_batch(
    ${JSON.stringify(items)}::jsonb, ${DURATION_TOLERANCE_SECONDS}::int, ${OBSERVED_GAP_CAP_SECONDS * 1000}::bigint)`;
}

const ingests = new WeakMap<Db, HeartbeatIngest>();

/** The process's ingest for this database client (one queue per pool). */
export function heartbeatIngest(db: Db): HeartbeatIngest {
  let ingest = ingests.get(db);
  if (!ingest) {
    ingest = new HeartbeatIngest(db);
    ingests.set(db, ingest);
  }
  return ingest;
}

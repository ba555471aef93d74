import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { createApp } from '../src/api/app';
import { loadConfig } from '../src/infra/config';
import { closeDeps, createDeps, type Deps } from '../src/infra/deps';
import {
  BookingIdAttr,
  CoachIdAttr,
  DomainStatusAttr,
  UserIdAttr,
} from '../workflows/shared/search-attributes';
import { benchFloorWorkflowType, floorReadyUpdate, type benchFloorWorkflow } from './floor-workflow';
import { report, type BenchResult } from './harness';

// POST /api/bookings against the real services (Postgres, Temporal, stripe-mock, the SMTP sink), with
// the API in this process and the workers in a process of their own, as deployed
// (bench/booking-workers.ts; issue 10):
//
// - booking.floor — what no booking request can go below: the same INSERT of a bookings row, then one
//   update-with-start of a workflow that answers in its first task (benchFloorWorkflow, run by a
//   worker of its own in the workers' process). booking.floor_start_only is the INSERT and a plain
//   start the server acknowledges, with no worker involved.
// - booking.sequential_free / booking.sequential_paid — one booking at a time, each athlete its own
//   slot, interleaved with the floor so a busy machine weighs on both alike; ratios against the floor.
//   Goal: p50 ≤ 60 ms.
// - booking.contention — N athletes POST the same slot at once. Exactly one may win, the rest get
//   409, and no two active bookings may overlap. Goal at 20: p99 ≤ 250 ms.

const WARMUP = 3;
/**
 * The pause between sequential requests: each meets an idle worker, as a single uncontended request
 * would (a free booking's two confirmation emails, with their calendar files, take ~60 ms of the
 * worker's time after the answer; back to back, the next request competed with them). Concurrency is
 * the contention result's business.
 */
const QUIET_MS = 150;
const round = (n: number) => Math.round(n * 10) / 10;

/** Nearest-rank percentile (p in 0..1) of ascending `sorted`. */
function percentile(sorted: number[], p: number): number {
  return round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
  };
}

type Request = (
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<{ status: number; body: any }>;

interface Athlete {
  token: string;
  user: { id: string };
}

interface Fixture {
  deps: Deps;
  request: Request;
  coachId: string;
  free: { id: string; durationMin: number };
  paid: { id: string; durationMin: number };
  athletes: Athlete[];
  /** Owns the floor's rows, and books nothing (its rows would count as its unpaid holds). */
  floorAthleteId: string;
  /** Free start times of both offerings (same 30-minute grid), earliest first, an hour out at least. */
  slots: string[];
  floorQueue: string;
}

/**
 * A coach taking bookings around the clock with a free and a paid 30-minute offering, `athletes`
 * registered athletes, the API, a default-queue worker and the floor's worker, each on queues of this
 * run. Everything it created is removed afterwards.
 */
async function withBookingFixture<T>(athletes: number, run: (f: Fixture) => Promise<T>): Promise<T> {
  const tag = `bench-${Date.now().toString(36)}`;
  const queue = tag;
  const floorQueue = `${tag}-floor`;
  const cfg = {
    ...loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' }),
    TEMPORAL_TASK_QUEUE: queue,
  };
  const deps = await createDeps(cfg);
  const workers = await startBenchWorkers({
    ...process.env,
    BENCH_QUEUE: queue,
    BENCH_FLOOR_QUEUE: floorQueue,
  });
  const app = createApp(deps);
  const request: Request = async (method, path, body, token) => {
    const res = await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  const register = async (i: number): Promise<Athlete> =>
    (
      await request('POST', '/api/auth/register', {
        email: `${tag}-${i}@example.test`,
        password: 'correct horse battery',
        name: `Bench ${i}`,
      })
    ).body;
  const userIds: string[] = [];
  try {
    const coach = await register(0);
    userIds.push(coach.user.id);
    await deps.db.user.update({ where: { id: coach.user.id }, data: { role: 'coach_pro' } });
    await request(
      'PUT',
      '/api/coaches/me/profile',
      { slug: tag, displayName: 'Bench coach', timeZone: 'UTC', bookingEnabled: true },
      coach.token,
    );
    await request(
      'PUT',
      '/api/availability/windows',
      { windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, startTime: '00:00', endTime: '24:00' })) },
      coach.token,
    );
    const offering = async (title: string, priceMinor: number) =>
      (
        await request(
          'POST',
          '/api/coaches/me/services',
          { title, durationMin: 30, slotIntervalMin: 30, priceMinor },
          coach.token,
        )
      ).body as { id: string; durationMin: number };
    const free = await offering('Bench (free)', 0);
    const paid = await offering('Bench (paid)', 2_000);
    const registered: Athlete[] = [];
    for (let i = 1; i <= athletes; i += 10) {
      registered.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, athletes - i + 1) }, (_, k) => register(i + k)),
        )),
      );
    }
    const floorAthlete = await register(athletes + 1);
    userIds.push(...registered.map((a) => a.user.id), floorAthlete.user.id);
    const listed = (await request('GET', `/api/availability/slots?serviceId=${free.id}`)).body.slots as {
      start: string;
    }[];
    const slots = listed.map((s) => s.start).filter((s) => Date.parse(s) > Date.now() + 3_600_000);
    return await run({
      deps,
      request,
      coachId: coach.user.id,
      free,
      paid,
      athletes: registered,
      floorAthleteId: floorAthlete.user.id,
      slots,
      floorQueue,
    });
  } finally {
    await workers.stop(); // lets in-flight activities (confirmation emails) finish first
    await terminateRunning(deps.temporal, [queue, floorQueue]);
    await deps.db.emailDelivery.deleteMany({ where: { recipient: { startsWith: tag } } });
    await deps.db.booking.deleteMany({
      where: { OR: [{ coachId: { in: userIds } }, { athleteId: { in: userIds } }] },
    });
    await deps.db.user.deleteMany({ where: { id: { in: userIds } } });
    await closeDeps(deps);
  }
}

/** bench/booking-workers.ts as a child process; resolves once its workers poll. */
async function startBenchWorkers(env: NodeJS.ProcessEnv): Promise<{ stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./booking-workers.ts', import.meta.url))],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bench workers exited (${code}) before they were ready`)));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function terminateRunning(temporal: Client, queues: string[]): Promise<void> {
  for (const queue of queues) {
    for await (const wf of temporal.workflow.list({
      query: `TaskQueue = '${queue}' AND ExecutionStatus = 'Running'`,
    })) {
      await temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('benchmark finished')
        .catch(() => undefined);
    }
  }
}

/** The INSERT POST /api/bookings commits (a free booking at `start`), outside any check or lock. */
async function insertBookingRow(f: Fixture, start: string) {
  const startsAt = new Date(start);
  const endsAt = new Date(startsAt.getTime() + f.free.durationMin * 60_000);
  return f.deps.db.booking.create({
    data: {
      id: randomUUID(),
      coachId: f.coachId,
      athleteId: f.floorAthleteId,
      serviceId: f.free.id,
      startsAt,
      endsAt,
      blockedStart: startsAt,
      blockedEnd: endsAt,
      bufferBeforeMin: 0,
      bufferAfterMin: 0,
      timeZone: null,
      notes: '',
      priceMinor: 0,
      currency: 'USD',
    },
  });
}

/** Starts benchFloorWorkflow as POST /api/bookings starts booking-<id>: same id scheme and search attributes. */
function floorStart(
  f: Fixture,
  row: { id: string; coachId: string; athleteId: string },
  awaitReady: boolean,
) {
  return {
    taskQueue: f.floorQueue,
    workflowId: `bench-floor-${row.id}`,
    args: [awaitReady] as Parameters<typeof benchFloorWorkflow>,
    typedSearchAttributes: [
      { key: BookingIdAttr, value: row.id },
      { key: CoachIdAttr, value: row.coachId },
      { key: UserIdAttr, value: row.athleteId },
      { key: DomainStatusAttr, value: 'PENDING' },
    ],
  };
}

async function floorRequest(f: Fixture, start: string): Promise<void> {
  const row = await insertBookingRow(f, start);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof benchFloorWorkflow>(
    benchFloorWorkflowType,
    { ...floorStart(f, row, true), workflowIdConflictPolicy: 'USE_EXISTING' },
  );
  await f.deps.temporal.workflow.executeUpdateWithStart(floorReadyUpdate, { startWorkflowOperation });
}

async function floorStartOnly(f: Fixture, start: string): Promise<void> {
  const row = await insertBookingRow(f, start);
  await f.deps.temporal.workflow.start<typeof benchFloorWorkflow>(
    benchFloorWorkflowType,
    floorStart(f, row, false),
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * `n` sequential bookings of the free and of the paid offering, each step interleaved with the floor
 * and the start-only floor; `WARMUP` rounds first, not counted. One athlete per round: each books
 * once per offering, far from the hourly allowance and the cap on unpaid holds.
 */
async function sequentialBookings(f: Fixture, n: number): Promise<BenchResult[]> {
  const rounds = WARMUP + n;
  const slot = (set: number, i: number) => f.slots[set * rounds + i]!;
  const samples = {
    floor: [] as number[],
    startOnly: [] as number[],
    free: [] as number[],
    paid: [] as number[],
  };
  const failures = { free: [] as number[], paid: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    const athlete = f.athletes[i]!;
    const book = async (service: { id: string }, start: string, kind: 'free' | 'paid') => {
      let status = 0;
      const ms = await timed(async () => {
        status = (await f.request('POST', '/api/bookings', { serviceId: service.id, start }, athlete.token))
          .status;
      });
      if (status !== 201) failures[kind].push(status);
      return ms;
    };
    const floor = await timed(() => floorRequest(f, slot(0, i)));
    await sleep(QUIET_MS);
    const startOnly = await timed(() => floorStartOnly(f, slot(1, i)));
    await sleep(QUIET_MS);
    const free = await book(f.free, slot(2, i), 'free');
    await sleep(QUIET_MS);
    const paid = await book(f.paid, slot(3, i), 'paid');
    await sleep(QUIET_MS);
    if (i < WARMUP) continue;
    samples.floor.push(floor);
    samples.startOnly.push(startOnly);
    samples.free.push(free);
    samples.paid.push(paid);
  }
  const floor = summary(samples.floor);
  const booking = (kind: 'free' | 'paid') => {
    const s = summary(samples[kind]);
    return report({
      name: `booking.sequential_${kind}`,
      ...s,
      floorP50: floor.p50,
      ratioP50: round(s.p50 / floor.p50),
      ratioP99: round(s.p99 / floor.p99),
      goalP50Ms: 60,
      meetsGoal: s.p50 <= 60,
      failures: failures[kind].length,
      ...(failures[kind].length ? { failureStatuses: failures[kind].join(',') } : {}),
    });
  };
  return [
    report({
      name: 'booking.floor',
      ...floor,
      what: 'INSERT bookings row + update-with-start answered in the first workflow task',
    }),
    report({
      name: 'booking.floor_start_only',
      ...summary(samples.startOnly),
      what: 'INSERT bookings row + plain start acknowledged by the server (no worker)',
    }),
    booking('free'),
    booking('paid'),
  ];
}

/** `n` athletes POST one slot of the free offering at once. Exactly one must win. */
async function contention(f: Fixture, n: number): Promise<BenchResult> {
  const start = f.slots.at(-1)!;
  const latencies: number[] = [];
  const began = performance.now();
  const statuses = await Promise.all(
    f.athletes.slice(0, n).map(async (a) => {
      const t0 = performance.now();
      const res = await f.request('POST', '/api/bookings', { serviceId: f.free.id, start }, a.token);
      latencies.push(performance.now() - t0);
      return res.status;
    }),
  );
  const wall = performance.now() - began;
  const created = statuses.filter((s) => s === 201).length;
  const conflicts = statuses.filter((s) => s === 409).length;
  const overlaps = await f.deps.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM bookings a JOIN bookings b ON a.coach_id = b.coach_id AND a.id < b.id
     AND a.status IN ('PENDING','CONFIRMED') AND b.status IN ('PENDING','CONFIRMED')
     AND tstzrange(a.blocked_start, a.blocked_end) && tstzrange(b.blocked_start, b.blocked_end)`;
  const s = summary(latencies);
  const overlapping = Number(overlaps[0]!.n);
  return report({
    name: 'booking.contention',
    concurrent: n,
    wallMs: round(wall),
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    created,
    conflicts,
    otherStatuses: statuses.filter((x) => x !== 201 && x !== 409).join(','),
    overlappingActiveBookings: overlapping,
    oneWinner: created === 1 && conflicts === n - 1 && overlapping === 0,
    goalP99Ms: 250,
    meetsGoal: s.p99 <= 250 && created === 1 && conflicts === n - 1 && overlapping === 0,
  });
}

/** Sequential bookings against the floor, then `concurrent` athletes on one slot, in one fixture. */
export async function benchBookingRequests(
  opts: { sequential?: number; concurrent?: number } = {},
): Promise<BenchResult[]> {
  const n = opts.sequential ?? 30;
  const concurrent = opts.concurrent ?? 20;
  return withBookingFixture(Math.max(WARMUP + n, concurrent), async (f) => [
    ...(await sequentialBookings(f, n)),
    await contention(f, concurrent),
  ]);
}

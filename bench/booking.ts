// Booking benchmarks. Each function prints one JSON line per result ({ name, ms, ops, ... }) and
// returns the results, so a bench runner can call them and the file can run on its own:
//   node --import tsx bench/booking.ts              slot computation only (no services needed)
//   node --import tsx bench/booking.ts contention   also booking contention (needs `npm start`'s stack)

import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { computeSlots, type ComputeSlotsArgs, type Slot } from '../src/domain/availability/slots';
import {
  parseHHMM,
  zonedDateTimeToUtc,
  localDatesBetween,
  weekdayOfIso,
} from '../src/domain/shared/timezone';

export interface BenchResult {
  name: string;
  /** Mean milliseconds per operation (per slot computation; for contention, the wall time of the burst). */
  ms: number;
  ops: number;
  [extra: string]: unknown;
}

const MIN = 60_000;
const DAY = 86_400_000;

function emit(result: BenchResult): BenchResult {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result;
}

/** Deterministic pseudo-random numbers so every run measures the same schedule. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 60 days, 10 weekly windows, 20 blackouts, 500 bookings: a busy coach's two months. */
export function slotScenario(): ComputeSlotsArgs {
  const random = rng(42);
  const now = new Date('2026-03-02T07:00:00Z');
  const from = now;
  const to = new Date(now.getTime() + 60 * DAY);
  const windows = [1, 2, 3, 4, 5].flatMap((dayOfWeek) => [
    { dayOfWeek, startTime: '08:00', endTime: '12:00' },
    { dayOfWeek, startTime: '13:00', endTime: '19:00' },
  ]);
  const blackouts = Array.from({ length: 20 }, () => {
    const start = from.getTime() + Math.floor(random() * 60 * 24) * (DAY / 24);
    return { start: new Date(start), end: new Date(start + (1 + Math.floor(random() * 6)) * 3_600_000) };
  });
  const bookings = Array.from({ length: 500 }, () => {
    const day = Math.floor(random() * 60);
    const start = from.getTime() + day * DAY + (8 + Math.floor(random() * 22) / 2) * 3_600_000;
    return {
      start: new Date(start),
      end: new Date(start + 45 * MIN),
      bufferBeforeMin: 10,
      bufferAfterMin: 10,
    };
  });
  return {
    timeZone: 'Europe/London', // crosses the March DST change
    windows,
    overrides: [{ date: '2026-03-18', windows: [] }],
    blackouts,
    bookings,
    service: {
      durationMin: 45,
      bufferBeforeMin: 10,
      bufferAfterMin: 10,
      minimumNoticeMin: 120,
      horizonDays: 90,
      slotIntervalMin: 15,
    },
    from,
    to,
    now,
  };
}

/**
 * The obvious implementation: walk every candidate start of every window and test it against every
 * booking and blackout (O(candidates × busy)), as slot code without a sweep does. Same rules.
 */
export function naiveSlots(args: ComputeSlotsArgs): Slot[] {
  const { service } = args;
  const step = (service.slotIntervalMin ?? service.durationMin) * MIN;
  const duration = service.durationMin * MIN;
  const lower = Math.max(args.from.getTime(), args.now.getTime() + service.minimumNoticeMin * MIN);
  const upper = Math.min(args.to.getTime(), args.now.getTime() + service.horizonDays * DAY);
  const out: Slot[] = [];
  for (const date of localDatesBetween(new Date(lower), new Date(upper + duration), args.timeZone)) {
    const override = args.overrides.find((o) => o.date === date);
    const windows = override
      ? override.windows
      : args.windows.filter((w) => w.dayOfWeek === weekdayOfIso(date));
    for (const w of windows) {
      const ws = zonedDateTimeToUtc(date, w.startTime, args.timeZone).getTime();
      const we =
        parseHHMM(w.endTime) === 1440
          ? zonedDateTimeToUtc(date, '00:00', args.timeZone).getTime() + DAY
          : zonedDateTimeToUtc(date, w.endTime, args.timeZone).getTime();
      for (let s = ws; s + duration <= we; s += step) {
        if (s < lower || s >= upper) continue;
        const blockStart = s - service.bufferBeforeMin * MIN;
        const blockEnd = s + duration + service.bufferAfterMin * MIN;
        const busy =
          args.bookings.some(
            (b) =>
              b.start.getTime() - b.bufferBeforeMin * MIN < blockEnd &&
              blockStart < b.end.getTime() + b.bufferAfterMin * MIN,
          ) || args.blackouts.some((b) => b.start.getTime() < blockEnd && blockStart < b.end.getTime());
        if (!busy) out.push({ start: new Date(s), end: new Date(s + duration) });
      }
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

function time(fn: () => unknown, minMs = 1000): { ms: number; ops: number } {
  for (let i = 0; i < 3; i++) fn(); // warm up
  let ops = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    fn();
    ops++;
  }
  return { ms: (performance.now() - started) / ops, ops };
}

export async function benchSlotComputation(): Promise<BenchResult[]> {
  const args = slotScenario();
  const slots = computeSlots(args);
  const naive = naiveSlots(args);
  const agree =
    slots.length === naive.length && slots.every((s, i) => s.start.getTime() === naive[i]!.start.getTime());
  const shape = {
    days: 60,
    weeklyWindows: args.windows.length,
    blackouts: args.blackouts.length,
    bookings: args.bookings.length,
    slots: slots.length,
    agree,
  };
  const fast = time(() => computeSlots(args));
  const slow = time(() => naiveSlots(args));
  return [
    emit({ name: 'slots_60d_sweep', ms: round(fast.ms), ops: fast.ops, ...shape }),
    emit({
      name: 'slots_60d_naive_baseline',
      ms: round(slow.ms),
      ops: slow.ops,
      ...shape,
      speedup: round(slow.ms / fast.ms),
    }),
  ];
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * N athletes POST the same slot at once against the in-process API (real Postgres, the Temporal
 * server and an in-process worker on a queue of its own). Exactly one must win.
 */
export async function benchBookingContention(opts: { n?: number } = {}): Promise<BenchResult[]> {
  const n = opts.n ?? 50;
  const { loadConfig } = await import('../src/infra/config');
  const { createDeps, closeDeps } = await import('../src/infra/deps');
  const { createApp } = await import('../src/api/app');
  const { createWorkers } = await import('../workers/create-workers');
  const { Runtime, DefaultLogger } = await import('@temporalio/worker');
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const queue = `bench-${Date.now().toString(36)}`;
  const cfg = {
    ...loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' }),
    TEMPORAL_TASK_QUEUE: queue,
  };
  const deps = await createDeps(cfg);
  const workers = await createWorkers(deps, { queues: ['default'], taskQueue: queue });
  const app = createApp(deps);
  const request = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  const tag = `bench-${Date.now().toString(36)}`;
  const register = async (i: number) =>
    (
      await request('POST', '/api/auth/register', {
        email: `${tag}-${i}@example.test`,
        password: 'correct horse battery',
        name: `Bench ${i}`,
      })
    ).body as {
      token: string;
      user: { id: string };
    };
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
    const service = (
      await request(
        'POST',
        '/api/coaches/me/services',
        { title: 'Bench', durationMin: 30, slotIntervalMin: 30, priceMinor: 0 },
        coach.token,
      )
    ).body;
    const athletes = [];
    for (let i = 1; i <= n; i += 10) {
      athletes.push(
        ...(await Promise.all(Array.from({ length: Math.min(10, n - i + 1) }, (_, k) => register(i + k)))),
      );
    }
    userIds.push(...athletes.map((a) => a.user.id));
    const slots = (await request('GET', `/api/availability/slots?serviceId=${service.id}`)).body.slots as {
      start: string;
    }[];
    const start = slots.find((s) => Date.parse(s.start) > Date.now() + 3_600_000)!.start;

    const latencies: number[] = [];
    const began = performance.now();
    const results = await Promise.all(
      athletes.map(async (a) => {
        const t0 = performance.now();
        const res = await request('POST', '/api/bookings', { serviceId: service.id, start }, a.token);
        latencies.push(performance.now() - t0);
        return res.status;
      }),
    );
    const wall = performance.now() - began;
    latencies.sort((x, y) => x - y);
    const pct = (p: number) =>
      round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!);
    const created = results.filter((s) => s === 201).length;
    const conflicts = results.filter((s) => s === 409).length;
    const overlaps = await deps.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM bookings a JOIN bookings b ON a.coach_id = b.coach_id AND a.id < b.id
       AND a.status IN ('PENDING','CONFIRMED') AND b.status IN ('PENDING','CONFIRMED')
       AND tstzrange(a.blocked_start, a.blocked_end) && tstzrange(b.blocked_start, b.blocked_end)`;
    return [
      emit({
        name: 'booking_contention',
        ms: round(wall),
        ops: n,
        created,
        conflicts,
        otherStatuses: results.filter((s) => s !== 201 && s !== 409),
        overlappingActiveBookings: Number(overlaps[0]!.n),
        p50: pct(50),
        p95: pct(95),
        max: pct(100),
      }),
    ];
  } finally {
    await workers.shutdown(); // lets in-flight activities (the winner's emails) finish first
    for await (const wf of deps.temporal.workflow.list({
      query: `TaskQueue = '${queue}' AND ExecutionStatus = 'Running'`,
    })) {
      await deps.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('benchmark finished')
        .catch(() => undefined);
    }
    await deps.db.emailDelivery.deleteMany({ where: { recipient: { startsWith: tag } } });
    await deps.db.booking.deleteMany({
      where: { OR: [{ coachId: { in: userIds } }, { athleteId: { in: userIds } }] },
    });
    await deps.db.user.deleteMany({ where: { id: { in: userIds } } });
    await closeDeps(deps);
  }
}

export const benchmarks = [
  {
    name: 'slot computation (60 days, 10 weekly windows, 20 blackouts, 500 bookings)',
    run: benchSlotComputation,
  },
  {
    name: 'booking contention (50 concurrent POSTs of one slot)',
    run: () => benchBookingContention({ n: 50 }),
  },
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchSlotComputation();
  if (process.argv.includes('contention'))
    await benchBookingContention({ n: Number(process.env.BENCH_N ?? 50) });
}

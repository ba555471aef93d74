// Booking benchmarks. Each function prints one JSON line per result ({ name, ms, ops, ... }) and
// returns the results, so a bench runner can call them and the file can run on its own:
//   node --import tsx bench/booking.ts            slot computation only (no services needed)
//   node --import tsx bench/booking.ts requests   also POST /api/bookings against its floor and under
//                                                 contention (bench/booking-requests.ts; needs the
//                                                 services `npm start` runs)

import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { computeSlots, type ComputeSlotsArgs, type Slot } from '../src/domain/availability/slots';
import { benchBookingRequests } from './booking-requests';
import { report, type BenchResult } from './harness';
import {
  parseHHMM,
  zonedDateTimeToUtc,
  localDatesBetween,
  weekdayOfIso,
} from '../src/domain/shared/timezone';

const MIN = 60_000;
const DAY = 86_400_000;

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
    report({ name: 'slots_60d_sweep', ms: round(fast.ms), ops: fast.ops, ...shape }),
    report({
      name: 'slots_60d_naive_baseline',
      ms: round(slow.ms),
      ops: slow.ops,
      ...shape,
      speedup: round(slow.ms / fast.ms),
    }),
  ];
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export const benchmarks = [
  {
    name: 'slot computation (60 days, 10 weekly windows, 20 blackouts, 500 bookings)',
    run: benchSlotComputation,
  },
  {
    name: 'POST /api/bookings: 30 sequential (free, paid) against the floor, then 20 concurrent on one slot',
    run: () => benchBookingRequests({ sequential: 30, concurrent: 20 }),
  },
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchSlotComputation();
  if (process.argv.includes('requests') || process.argv.includes('contention'))
    await benchBookingRequests({
      sequential: Number(process.env.BENCH_N ?? 30),
      concurrent: Number(process.env.BENCH_CONCURRENT ?? 20),
    });
  process.exit(0);
}

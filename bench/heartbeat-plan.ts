// What the heartbeat benchmark sends (bench/heartbeats.ts, and its load generator
// bench/heartbeat-load.ts in a process of its own): request i is session i mod SESSIONS's seq-th
// heartbeat, and every DUPLICATE_EVERY-th request repeats the seq its session sent before.

import { percentile } from './stats';

export const SESSIONS = 400;
export const CONCURRENCY = 64;
export const PER_PHASE = 12_000;
/**
 * The open loop runs this long at the goal's rate. A p99 over a few seconds is the single worst
 * scheduling hiccup of those seconds (at 2,000/s the slowest 1 % of 5 s is 50 ms of wall time), not
 * the tail of sustained operation; each 5-second window's p99 is reported beside the whole run's.
 */
export const PACED_SECONDS = 30;
/** The windows the open loop's p99 is also reported for. */
export const PACED_WINDOW_SECONDS = 5;
/** Every Nth request repeats the seq its session sent before (a client retry): must change nothing. */
export const DUPLICATE_EVERY = 20;
export const SECONDS_PER_BEAT = 5;

export interface Viewer {
  sessionId: string;
  token: string;
  studentId: string;
  /** The login session the token belongs to (the statement checks it is live). */
  authSessionId: string;
}

/** Request i: session i mod S, its seq-th heartbeat (every DUPLICATE_EVERY-th repeats the previous seq). */
export function heartbeatOf(i: number) {
  const round = Math.floor(i / SESSIONS);
  const dup = i % DUPLICATE_EVERY === 0 && round > 0;
  const seq = dup ? round : round + 1;
  const duration = seq * SECONDS_PER_BEAT;
  const lecture = 1 + (Math.floor(duration / 120) % 3);
  return { session: i % SESSIONS, seq, duration, lecture, dup };
}

/** The PATCH body of request i, as a player sends it. */
export function bodyOf(h: ReturnType<typeof heartbeatOf>) {
  return {
    seq: h.seq,
    duration_seconds: h.duration,
    completion_pct: Math.min(100, h.duration / 18),
    current_lecture: h.lecture,
    position_seconds: h.duration % 120,
  };
}

export interface DriveResult {
  /** CPU ms per heartbeat of the process that drove the phase. */
  nodeCpuMsPerHeartbeat: number;
  ms: number;
  perSec: number;
  p50: number;
  p99: number;
  failures: number;
}

/** Sends `total` operations with CONCURRENCY in flight; latency per operation and throughput. */
export async function drive(total: number, send: (i: number) => Promise<void>): Promise<DriveResult> {
  const cpuBefore = process.cpuUsage();
  const samples: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        try {
          await send(i);
        } catch {
          failures++;
        }
        samples.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    nodeCpuMsPerHeartbeat: Number(((cpu.user + cpu.system) / 1000 / total).toFixed(3)),
    ms: Number(ms.toFixed(0)),
    perSec: Number(((total / ms) * 1000).toFixed(0)),
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    failures,
  };
}

/** What an open-loop run adds: the same latencies counted from the moment each request left. */
export interface PacedResult extends DriveResult {
  /** p50 / p99 from when the request was actually written out, not from when it was due. */
  p50FromSent: number;
  p99FromSent: number;
  /** p99 of how late the sender itself was (sent − due): its own scheduling, not the server's. */
  p99SendLag: number;
  /** p99 from when each was due, per PACED_WINDOW_SECONDS window of due times (warm-up left out). */
  p99ByWindow: number[];
}

/**
 * Open loop: request i is due at start + i / rate, sent when due whether or not earlier ones have
 * answered (players do not wait for each other). Latency is counted twice: from when it was due
 * (strict: a stall of the sender's own process counts too) and from when it was sent. Since sending
 * never waits for an answer, a stall of the server still shows in full in the second; what the
 * second leaves out is only the sender's own lateness, reported as p99SendLag.
 */
export async function driveAtRate(
  total: number,
  ratePerSec: number,
  send: (i: number) => Promise<void>,
  /** Requests at the start left out of the percentiles: connections opening, JIT (all are sent and checked). */
  warmUp = 0,
): Promise<PacedResult> {
  const cpuBefore = process.cpuUsage();
  const fromDue: number[] = [];
  const fromSent: number[] = [];
  const lag: number[] = [];
  const byWindow: number[][] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  while (next < total) {
    const now = performance.now();
    while (next < total && started + (next * 1000) / ratePerSec <= now) {
      const due = started + (next * 1000) / ratePerSec;
      const i = next;
      const sent = performance.now();
      const record = () => {
        if (i < warmUp) return;
        const end = performance.now();
        fromDue.push(end - due);
        const w = Math.floor((i - warmUp) / (ratePerSec * PACED_WINDOW_SECONDS));
        (byWindow[w] ??= []).push(end - due);
        fromSent.push(end - sent);
        lag.push(sent - due);
      };
      inFlight.push(
        send(i).then(record, () => {
          failures++;
          record();
        }),
      );
      next++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    nodeCpuMsPerHeartbeat: Number(((cpu.user + cpu.system) / 1000 / total).toFixed(3)),
    ms: Number(ms.toFixed(0)),
    perSec: Number(((total / ms) * 1000).toFixed(0)),
    p50: percentile(fromDue, 0.5),
    p99: percentile(fromDue, 0.99),
    p50FromSent: percentile(fromSent, 0.5),
    p99FromSent: percentile(fromSent, 0.99),
    p99SendLag: percentile(lag, 0.99),
    p99ByWindow: byWindow.map((w) => percentile(w, 0.99)),
    failures,
  };
}

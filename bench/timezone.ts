import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { report, timeIt } from './harness';
import { freePort } from '../src/dev/services';

// Issue 9 #1: case variants of one IANA zone used to each get a cached formatter, so unauthenticated
// slot queries grew the API's heap without bound. This runs the real API process over HTTP and
// compares its resident memory after 20,000 variant requests with the level after the same number of
// requests using one spelling (the baseline, same run).

const ZONE = 'America/Argentina/ComodRivadavia';
const REQUESTS = 20_000;

function variant(i: number): string {
  const letters = [...ZONE];
  let bit = 0;
  return letters
    .map((ch) => (/[a-z]/i.test(ch) ? ((i >> bit++) & 1 ? ch.toUpperCase() : ch.toLowerCase()) : ch))
    .join('');
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return Number((kb / 1024).toFixed(1));
}

async function startApi(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, '../src/api/server.ts')],
    { env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('API did not start');
}

export async function timezoneBench(): Promise<void> {
  const port = await freePort();
  const api = await startApi(port);
  const slots = (zone: string) =>
    fetch(
      `http://127.0.0.1:${port}/api/availability/slots?serviceId=${randomUUID()}&timeZone=${encodeURIComponent(zone)}&from=2026-12-01&to=2026-12-02`,
    ).then((r) => r.arrayBuffer());
  try {
    // Warm-up to a steady heap: the first tens of thousands of requests grow any Node server's heap
    // (JIT, pools, young-generation sizing) whatever the zone, so growth is compared from there.
    await timeIt(REQUESTS, () => slots(ZONE), 8);
    const warm = rssMb(api.pid!);
    const baseline = await timeIt(REQUESTS, () => slots(ZONE), 8);
    const before = rssMb(api.pid!);
    const flood = await timeIt(REQUESTS, (i) => slots(variant(i)), 8);
    const after = rssMb(api.pid!);
    report({
      name: 'api.slots one zone spelling (baseline)',
      ...baseline,
      rssMb: before,
      // The same growth measured over the baseline load itself: what any 20,000 requests cost.
      rssGrowthPct: Number((((before - warm) / warm) * 100).toFixed(1)),
    });
    report({
      name: `api.slots ${REQUESTS} case variants of one zone`,
      ...flood,
      rssMb: after,
      rssGrowthPct: Number((((after - before) / before) * 100).toFixed(1)),
      ratioVsBaseline: Number((flood.ms / baseline.ms).toFixed(2)),
    });
  } finally {
    api.kill('SIGTERM');
  }
}

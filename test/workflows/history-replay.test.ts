import proto from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../src/dev/services';
import { analyticsRollupWorkflowType } from '../../workflows/analytics/definitions';
import { bookingWorkflowType } from '../../workflows/bookings/definitions';
import { clipWorkflowType } from '../../workflows/clips/definitions';
import { healthCheckWorkflowType } from '../../workflows/health/definitions';
import {
  pruneRateLimitsWorkflowType,
  resumeDeletionsWorkflowType,
} from '../../workflows/maintenance/definitions';
import { paidSessionWorkflowType } from '../../workflows/paid-sessions/definitions';
import {
  payoutAccountWorkflowType,
  payoutReversalWorkflowType,
  payoutWorkflowType,
} from '../../workflows/payouts/definitions';
import { purchaseWorkflowType } from '../../workflows/purchases/definitions';
import { subscriptionWorkflowType } from '../../workflows/subscriptions/definitions';
import { videoWorkflowType } from '../../workflows/videos/definitions';

// Every history under test/fixtures/histories (recorded from real runs by
// scripts/capture-histories.ts) replays on the current workflow bundle. A change to a workflow's
// command sequence without patched() fails here, before it can strand a running workflow in
// production (docs/adr/0017-workflow-versioning.md).

const HISTORIES_DIR = join(REPO_ROOT, 'test/fixtures/histories');

interface HistoryFixture {
  workflowType: string;
  workflowId: string;
  source: string;
  commit: string;
  status: string;
  history: unknown;
}

const toHistory = (fx: HistoryFixture) =>
  proto.temporal.api.history.v1.History.fromObject(fx.history as object);

function loadFixtures(): (HistoryFixture & { file: string })[] {
  return readdirSync(HISTORIES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(HISTORIES_DIR, d.name))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => {
          const file = join(d.name, f);
          const fx = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as HistoryFixture;
          return { ...fx, file };
        }),
    );
}

/** Every workflow type the worker registers; each must have at least one recorded history. */
const WORKFLOW_TYPES = [
  analyticsRollupWorkflowType,
  bookingWorkflowType,
  clipWorkflowType,
  healthCheckWorkflowType,
  paidSessionWorkflowType,
  payoutAccountWorkflowType,
  payoutReversalWorkflowType,
  payoutWorkflowType,
  pruneRateLimitsWorkflowType,
  purchaseWorkflowType,
  resumeDeletionsWorkflowType,
  subscriptionWorkflowType,
  videoWorkflowType,
];

describe('recorded workflow histories', () => {
  const fixtures = loadFixtures();

  it('cover every workflow type, each file under its own type', () => {
    for (const fx of fixtures) expect(fx.file.split('/')[0], fx.file).toBe(fx.workflowType);
    const covered = new Set(fixtures.map((f) => f.workflowType));
    expect(WORKFLOW_TYPES.filter((t) => !covered.has(t))).toEqual([]);
  });

  it('all replay on the current workflow code without nondeterminism', async () => {
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      fixtures.map((fx) => ({
        workflowId: fx.workflowId,
        history: toHistory(fx),
      })),
    );
    const failures: string[] = [];
    let replayed = 0;
    // Results come back one per history, in the order given.
    for await (const result of results) {
      const fx = fixtures[replayed++]!;
      if (result.error) {
        failures.push(`${fx.file} (${fx.source} @ ${fx.commit.slice(0, 7)}): ${result.error.message}`);
      }
    }
    const types = new Set(fixtures.map((f) => f.workflowType)).size;
    console.log(
      `replayed ${replayed} recorded histories of ${types} workflow types, ${failures.length} failed`,
    );
    expect(failures).toEqual([]);
    expect(replayed).toBe(fixtures.length);
  }, 120_000);
});

describe('the replay check itself', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fails a health-check workflow whose two activities were swapped', async () => {
    // The current workflow with its Postgres and ffmpeg steps in the other order, bundled on its own
    // (relative imports pointed back at the repo): what a careless edit without patched() would ship.
    const src = join(REPO_ROOT, 'workflows/health/workflow.ts');
    const original = readFileSync(src, 'utf8');
    const db = '    const databaseRoundTrip = await db.recordHealthProbe(workflowId);\n';
    const ffmpeg = '    const ffmpegVersion = await this.ffmpeg.probeMediaTools();\n';
    const swapped = original
      .replace(db + ffmpeg, ffmpeg + db)
      .replace(
        /from '(\.\.?\/[^']+)'/g,
        (_m, spec: string) => `from '${join(REPO_ROOT, 'workflows/health', spec)}'`,
      );
    expect(swapped.indexOf(ffmpeg), 'the swap applies to the current code').toBeLessThan(swapped.indexOf(db));
    dir = await mkdtemp(join(tmpdir(), 'replay-mutant-'));
    await writeFile(join(dir, 'workflow.ts'), swapped);
    const quiet = () => {};
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(dir, 'workflow.ts'),
      logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error },
      webpackConfigHook: (config) => {
        config.resolve = { ...config.resolve, modules: [join(REPO_ROOT, 'node_modules'), 'node_modules'] };
        return config;
      },
    });
    const health = loadFixtures().filter((f) => f.workflowType === healthCheckWorkflowType);
    expect(health.length).toBeGreaterThan(0);
    const errors: unknown[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: { code } },
      health.map((fx) => ({ workflowId: fx.workflowId, history: toHistory(fx) })),
    )) {
      errors.push(r.error);
    }
    expect(errors).toHaveLength(health.length);
    for (const e of errors) expect(e).toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});

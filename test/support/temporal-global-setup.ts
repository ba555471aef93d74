import { Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT, searchAttributes, waitFor } from '../../src/dev/services';
import { ensureTool } from '../../src/dev/tools';
import { freePort } from '../../src/dev/services';

// The fast workflow tier needs only the Temporal CLI dev server (the binary the project already
// builds): one in-memory server and one workflow bundle per run, shared by every test file. No
// Postgres, S3, Stripe or SMTP: the tests register stub activities.
//
// The server is spawned here rather than through TestWorkflowEnvironment.createLocal because the
// SDK lets the CLI print its banner on the test output; here it goes to a log file.

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'coachflow-wf-test-'));
  const [server, codePath] = await Promise.all([startDevServer(dir), bundleWorkflows(dir)]);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', codePath);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

async function startDevServer(dir: string) {
  const bin = ensureTool('temporal', (line) => process.stderr.write(`[temporal] ${line}\n`));
  const [port, httpPort] = [await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  // The custom search attributes the workflows upsert, from the file the dev stack registers too.
  const attrs = Object.entries(searchAttributes()).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
  const logPath = join(dir, 'temporal.log');
  const log = openSync(logPath, 'a');
  const child = spawn(
    bin,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--headless',
      '--log-level',
      'error',
      ...attrs,
    ],
    { stdio: ['ignore', log, log] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // A timer left pending would hold vitest open after the run: clear it once the server is gone.
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((done) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        done();
      }, 10_000);
    });
    await Promise.race([exited, killed]);
    clearTimeout(timer);
    await exited;
  };
  // Ready once the default namespace answers (it is registered just before the frontend serves).
  await waitFor(
    `the Temporal dev server (log: ${logPath})`,
    async () => {
      if (child.exitCode !== null) return false;
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return true;
      } finally {
        await connection.close();
      }
    },
    60_000,
  );
  return { address, stop };
}

/** workflows/index.ts bundled once, for every worker of the run (each test file has its own). */
async function bundleWorkflows(dir: string): Promise<string> {
  const quiet = () => {};
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(REPO_ROOT, 'workflows/index.ts'),
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error },
  });
  const codePath = join(dir, 'workflows.js');
  await writeFile(codePath, code);
  return codePath;
}

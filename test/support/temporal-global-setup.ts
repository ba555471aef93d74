import { DefaultLogger, Runtime } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { searchAttributes } from '../../src/dev/services';
import { ensureTool } from '../../src/dev/tools';
import { workflowBundle } from '../../workers/create-workers';

// The fast workflow tier needs only the Temporal CLI dev server (the binary the project already
// builds): one in-memory server and one workflow bundle per run, shared by every test file. No
// Postgres, S3, Stripe or SMTP: the tests register stub activities.

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const path = ensureTool('temporal', (line) => process.stderr.write(`[temporal] ${line}\n`));
  // The custom search attributes the workflows upsert, from the file the dev stack registers too.
  const extraArgs = Object.entries(searchAttributes()).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
  const [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path },
        ip: '127.0.0.1',
        log: { format: 'pretty', level: 'error' },
        extraArgs,
      },
    }),
    workflowBundle(),
  ]);
  project.provide('temporalAddress', env.address);
  project.provide('workflowBundlePath', bundle.codePath);
  return async () => {
    await env.teardown();
  };
}

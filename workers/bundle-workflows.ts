import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

// Bundles workflows/ with webpack and writes the code to the path given. Run as a short-lived child
// process (see create-workers.ts): webpack's ~160 MB stay out of the long-running worker.

const require = createRequire(import.meta.url);
const out = process.argv[2];
if (!out) throw new Error('usage: bundle-workflows.ts <output.js>');

const silent = () => {};
const { code } = await bundleWorkflowCode({
  workflowsPath: require.resolve('../workflows/index.ts'),
  logger: {
    log: silent,
    trace: silent,
    debug: silent,
    info: silent,
    warn: (message: string) => console.warn(message),
    error: (message: string) => console.error(message),
  },
});
await writeFile(out, code);

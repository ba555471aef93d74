import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Bundles workflows/ with webpack. Run in a short-lived process — a child of create-workers.ts, or
// `npm run build` (scripts/build.ts) — so webpack's ~160 MB never stay in a long-running worker.

const require = createRequire(import.meta.url);

/**
 * The workflow bundle's code. Its inline source map (the worker refuses a bundle without one) maps
 * stack traces to workflows/*.ts lines but leaves out the sources' text and the columns: the text is
 * only read for the enhanced stack-trace query with showStackTraceSources (off), and in the default
 * map it is two thirds of the bundle; fewer mappings is less for the source-map consumer each
 * workflow thread builds (docs/adr/0010-worker-memory.md). The code itself is unchanged, so
 * histories replay the same with either bundle.
 */
export async function bundleWorkflows(): Promise<string> {
  const silent = () => {};
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index.ts'),
    webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-cheap-module-source-map' }),
    logger: {
      log: silent,
      trace: silent,
      debug: silent,
      info: silent,
      warn: (message: string) => console.warn(message),
      error: (message: string) => console.error(message),
    },
  });
  return code;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: bundle-workflows.ts <output.js>');
  await writeFile(out, await bundleWorkflows());
}

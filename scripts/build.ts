import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflows } from '../workers/bundle-workflows';

// `npm run build`: the worker as plain JavaScript in dist/, run by scripts/worker.sh (npm run worker,
// the Docker image). dist/worker.js is workers/main.ts and everything it imports from this
// repository in one ES module (npm packages stay imports); dist/workflows.js is the workflow bundle
// it loads as is (workers/create-workers.ts). Running compiled code spares every worker process
// tsx's loader and its per-file transforms, and webpack's child process at each start
// (docs/adr/0010-worker-memory.md).

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(dist);
await writeFile(join(dist, 'workflows.js'), await bundleWorkflows());
await build({
  entryPoints: [join(root, 'workers/main.ts')],
  outfile: join(dist, 'worker.js'),
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // Only read when a debugger or --enable-source-maps asks for it.
  sourcemap: 'linked',
  logLevel: 'warning',
});

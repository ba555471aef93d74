import { bundleWorkflowCode } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A workflow as an earlier commit had it, bundled on its own: what a worker still running that
// commit would execute. The commit's own workflows/ and src/domain/ are unpacked into a temporary
// directory, so the old code resolves its imports against its own neighbours, however the files
// have moved or changed since (only node_modules come from the repo).

const REPO_ROOT = join(import.meta.dirname, '../..');

export interface OldWorkflowBundle {
  /** The temporary directory (the caller removes it). */
  dir: string;
  /** The bundle's file, for `Worker.create({ workflowBundle: { codePath } })`. */
  codePath: string;
  /** The old entry file's source, to check it is the code the test means. */
  source: string;
}

export async function bundleOldWorkflow(
  commit: string,
  entry: string,
  prefix = 'old-workflow-',
): Promise<OldWorkflowBundle> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const tar = execFileSync('git', ['archive', '--format=tar', commit, 'workflows', 'src/domain'], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  const entryPath = join(dir, entry);
  const quiet = () => {};
  const { code } = await bundleWorkflowCode({
    workflowsPath: entryPath,
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error },
    webpackConfigHook: (config) => {
      config.resolve = { ...config.resolve, modules: [join(REPO_ROOT, 'node_modules'), 'node_modules'] };
      return config;
    },
  });
  const codePath = join(dir, 'workflows.js');
  await writeFile(codePath, code);
  return { dir, codePath, source: readFileSync(entryPath, 'utf8') };
}

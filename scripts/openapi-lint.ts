// Lints the OpenAPI document the API serves with Redocly CLI (rules in redocly.yaml, accepted exceptions
// in .redocly.lint-ignore.yaml). `npm run lint` runs it; test/unit/api/openapi-lint.test.ts too.
//
//   node --import tsx scripts/openapi-lint.ts [redocly lint options, e.g. --format=json]
//
// The document is built without starting any service (routes read their dependencies per request) and
// written to .data/openapi.json, the path both Redocly files name.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '../src/api/app';
import { loadConfig } from '../src/infra/config';
import type { Deps } from '../src/infra/deps';

const root = join(import.meta.dirname, '..');
export const documentPath = join(root, '.data', 'openapi.json');

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = createApp({ cfg: loadConfig({ ...process.env, LOG_LEVEL: 'silent' }) } as Deps);
  const res = await app.request('/openapi.json');
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Writes the document (atomically: a concurrent lint never reads half of it), then runs `redocly lint`. */
export async function lintOpenApi(args: string[]) {
  mkdirSync(dirname(documentPath), { recursive: true });
  const partial = `${documentPath}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(await openApiDocument(), null, 2) + '\n');
  renameSync(partial, documentPath);
  const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
  return spawnSync(process.execPath, [cli, 'lint', ...args], {
    cwd: root,
    encoding: 'utf8',
    // Offline apart from the package registries: no usage data, no update check.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await lintOpenApi(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where go-built service binaries live (git-ignored, built once, reused). */
export const TOOLS_BIN = resolve(process.env.TOOLS_BIN ?? join(import.meta.dirname, '../../.tools/bin'));

/** Go modules that provide the local stack's real services, pinned. */
export const GO_TOOLS = {
  temporal: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
  mailpit: 'github.com/axllent/mailpit@v1.27.11',
  'stripe-mock': 'github.com/stripe/stripe-mock@v0.203.0',
  minio: 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c',
} as const;

export type GoTool = keyof typeof GO_TOOLS;

/**
 * Tools whose web UI is not in the Go module: `go install` gives a binary whose UI is a blank page.
 * Their front end is built with npm from the module's own sources, then embedded by `go build`
 * (docs/adr/0006-pages-people-open-work-offline.md). The value is the -ldflags the project's release build sets.
 */
const WEB_UI_BUILDS: Partial<Record<GoTool, (version: string) => string>> = {
  mailpit: (version) => `-s -w -X github.com/axllent/mailpit/config.Version=${version}`,
};

export function toolPath(name: GoTool): string {
  // A UI build has its own file name, so a UI-less binary that `go install` left earlier is not reused.
  const version = GO_TOOLS[name].split('@')[1]!;
  return join(TOOLS_BIN, WEB_UI_BUILDS[name] ? `${name}-${version}-ui` : name);
}

function run(what: string, command: string, args: string[], options: SpawnSyncOptions = {}): void {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${what} failed: ${command} ${args.join(' ')}` + (result.error ? ` (${result.error.message})` : ''),
    );
  }
}

/** go install: the module's main package, as published. */
function goInstall(name: GoTool): void {
  run(`building ${name}`, 'go', ['install', GO_TOOLS[name]], {
    env: { ...process.env, GOBIN: TOOLS_BIN, CGO_ENABLED: '0' },
  });
}

/** The module's sources from the Go module cache, its UI built with npm, then go build. */
function buildWithWebUi(name: GoTool, ldflags: (version: string) => string, out: string): void {
  const spec = GO_TOOLS[name];
  const version = spec.split('@')[1]!;
  const download = spawnSync('go', ['mod', 'download', '-json', spec], { encoding: 'utf8' });
  if (download.status !== 0) throw new Error(`go mod download ${spec} failed: ${download.stderr}`);
  const source = (JSON.parse(download.stdout) as { Dir: string }).Dir;

  // The module cache is read-only: build in a scratch copy next to the binaries, removed afterwards.
  const work = join(dirname(TOOLS_BIN), 'build', `${name}-${version}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(work), { recursive: true });
  cpSync(source, work, { recursive: true });
  run('making the sources writable', 'chmod', ['-R', 'u+w', work]);
  try {
    // Its lockfile resolves from the npm registry; install scripts are not needed to bundle.
    run(
      `${name} UI: npm ci`,
      'npm',
      ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
      {
        cwd: work,
      },
    );
    run(`${name} UI: npm run build`, 'npm', ['run', 'build'], { cwd: work });
    const partial = `${out}.partial`;
    run(`${name}: go build`, 'go', ['build', '-trimpath', '-ldflags', ldflags(version), '-o', partial, '.'], {
      cwd: work,
      env: { ...process.env, CGO_ENABLED: '0' },
    });
    renameSync(partial, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Returns the tool's binary, building it on first use (go install, or the UI build above). */
export function ensureTool(name: GoTool, log: (line: string) => void = console.log): string {
  const path = toolPath(name);
  if (existsSync(path)) return path;
  mkdirSync(TOOLS_BIN, { recursive: true });
  const ui = WEB_UI_BUILDS[name];
  log(
    `building ${name} (${GO_TOOLS[name]})${ui ? ' with its web UI (npm, then go build)' : ' with go install'}; ` +
      'the first build takes a few minutes…',
  );
  try {
    if (ui) buildWithWebUi(name, ui, path);
    else goInstall(name);
  } catch (err) {
    throw new Error(
      `could not build ${name}: ${(err as Error).message}. ` +
        'Go 1.22+, npm and access to the Go module proxy and the npm registry are required.',
    );
  }
  if (!existsSync(path)) throw new Error(`could not build ${name}: ${path} is missing after the build`);
  return path;
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where go-installed service binaries live (git-ignored, built once, reused). */
export const TOOLS_BIN = resolve(process.env.TOOLS_BIN ?? join(import.meta.dirname, '../../.tools/bin'));

/** Go modules that provide the local stack's real services, pinned. */
export const GO_TOOLS = {
  temporal: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
  mailpit: 'github.com/axllent/mailpit@v1.27.11',
  'stripe-mock': 'github.com/stripe/stripe-mock@v0.203.0',
  minio: 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c',
} as const;

export type GoTool = keyof typeof GO_TOOLS;

export function toolPath(name: GoTool): string {
  return join(TOOLS_BIN, name);
}

/** Returns the tool's binary, building it with `go install` on first use. */
export function ensureTool(name: GoTool, log: (line: string) => void = console.log): string {
  const path = toolPath(name);
  if (existsSync(path)) return path;
  mkdirSync(TOOLS_BIN, { recursive: true });
  log(`building ${name} (${GO_TOOLS[name]}) with go install; the first build takes a few minutes…`);
  const result = spawnSync('go', ['install', GO_TOOLS[name]], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: TOOLS_BIN, CGO_ENABLED: '0' },
  });
  if (result.error || result.status !== 0 || !existsSync(path)) {
    throw new Error(
      `could not build ${name}: "go install ${GO_TOOLS[name]}" failed` +
        (result.error ? ` (${result.error.message})` : '') +
        '. Go 1.22+ and access to the Go module proxy are required.',
    );
  }
  return path;
}

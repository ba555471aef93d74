// `prisma generate` with the Rust-free `prisma-client` generator needs no engine, but the CLI still
// tries to download the schema engine unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file.
// Offline machines (no binaries.prisma.sh) therefore point it at any file; generate never runs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);

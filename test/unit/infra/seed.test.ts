import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('demo seed', () => {
  it('issue 9 #14: refuses to create demo accounts (a superuser with a published password) in production', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../../../prisma/seed.ts')],
      {
        // A closed port: if the guard were missing the seed would try to connect, not exit with the reason.
        env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: 'postgresql://x:y@127.0.0.1:1/none' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refusing with NODE_ENV=production');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Workflow code makes activity proxies only through workflows/shared/proxies.ts, whose helpers take a
// named profile and type the proxy with that profile's queue (test/types/activity-profiles.ts shows a
// misuse failing tsc). The SDK's own proxyActivities would accept any options with any activity type
// (proxyActivities<MediaActivities>(profiles.postgres) compiles), so no other file may call it.

const REPO_ROOT = join(import.meta.dirname, '../../..');
const WORKFLOWS = join(REPO_ROOT, 'workflows');
const THE_ONE_PLACE = 'workflows/shared/proxies.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('activity proxies in workflow code', () => {
  const files = sources(WORKFLOWS).map((f) => ({
    path: relative(REPO_ROOT, f),
    text: readFileSync(f, 'utf8'),
  }));

  it('are made only by the typed helpers of workflows/shared/proxies.ts', () => {
    const offenders = files
      .filter((f) => f.path !== THE_ONE_PLACE && /\bproxy(Local)?Activities\b/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('the check sees the SDK call where it is', () => {
    const helpers = files.find((f) => f.path === THE_ONE_PLACE);
    expect(helpers?.text).toMatch(/\bproxyActivities\b/);
    expect(helpers?.text).toMatch(/\bproxyLocalActivities\b/);
  });
});

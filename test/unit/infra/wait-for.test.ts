import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failIfExited, ServiceExited, spawnService, waitFor } from '../../../src/dev/services';

// The local stack waits for each service it starts. A service whose process has already ended must
// fail the wait at once, with its log named, not after the whole timeout (CI once waited 90 s for a
// Temporal dev server that had exited on "address already in use" in its first second).
describe('waitFor', () => {
  it('keeps polling through ordinary errors, and gives up at the timeout', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      waitFor(
        'flaky',
        async () => {
          calls++;
          throw new Error('connection refused');
        },
        500,
      ),
    ).rejects.toThrow('flaky did not become ready within 1 s');
    expect(calls).toBeGreaterThan(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('stops at once when the service process has exited, naming its log', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'wait-for-'));
    const service = spawnService('quitter', process.execPath, ['-e', 'process.exit(3)'], logDir);
    await new Promise((r) => service.child.once('exit', r));
    const started = Date.now();
    const wait = waitFor('quitter', failIfExited(service, logDir), 60_000);
    await expect(wait).rejects.toBeInstanceOf(ServiceExited);
    await expect(wait).rejects.toThrow(`quitter exited with code 3; see ${join(logDir, 'quitter.log')}`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

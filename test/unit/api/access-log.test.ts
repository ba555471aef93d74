import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestContext, type RequestVars } from '../../../src/api/middleware/request-context';
import { logger, type Logger } from '../../../src/infra/logger';

// The access log: every request at info, except the successes of a route that marks itself quiet
// (the paid-session heartbeat, 2,000 a second at the goal's load), which go to debug.
afterEach(() => vi.restoreAllMocks());

function app() {
  const a = new Hono<{ Variables: RequestVars }>();
  a.use('*', requestContext);
  a.get('/loud', (c) => c.json({ ok: true }));
  a.get('/quiet/:status', (c) => {
    c.set('quietAccessLog', true);
    return c.json({ ok: true }, Number(c.req.param('status')) as 200);
  });
  return a;
}

function spyChild() {
  const calls: [string, number][] = [];
  const child = {
    info: (o: { status: number }) => calls.push(['info', o.status]),
    debug: (o: { status: number }) => calls.push(['debug', o.status]),
  } as unknown as Logger;
  const made = vi.spyOn(logger, 'child').mockReturnValue(child as never);
  vi.spyOn(logger, 'isLevelEnabled').mockReturnValue(true);
  return { calls, made };
}

describe('access log', () => {
  it('logs a success at info, a quiet route success at debug and its failure at info', async () => {
    const { calls } = spyChild();
    const a = app();
    await a.request('/loud');
    await a.request('/quiet/200');
    await a.request('/quiet/404');
    expect(calls).toEqual([
      ['info', 200],
      ['debug', 200],
      ['info', 404],
    ]);
  });

  it('builds no child logger for a request whose log line is not wanted', async () => {
    const { made } = spyChild();
    vi.spyOn(logger, 'isLevelEnabled').mockImplementation((level) => level !== 'debug');
    const res = await app().request('/quiet/200');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(made).not.toHaveBeenCalled();
  });
});

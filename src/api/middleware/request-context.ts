import { randomUUID } from 'node:crypto';
import { routePath } from 'hono/route';
import { createMiddleware } from 'hono/factory';
import { lazyChild, logger, type Logger } from '../../infra/logger';
import { httpDuration } from './metrics';

export type RequestVars = {
  requestId: string;
  log: Logger;
  /**
   * Set by a route too frequent to log every success of (the paid-session heartbeat: 2,000 a second
   * for 10,000 viewers): its successful requests are logged at debug, its failures at info as usual.
   */
  quietAccessLog?: boolean;
};

const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Request id (client's X-Request-Id when sane, else a UUID) on every response, a child logger, timing. */
export const requestContext = createMiddleware<{ Variables: RequestVars }>(async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  const log = lazyChild(logger, { requestId });
  c.set('requestId', requestId);
  c.set('log', log);
  // Set before the handler runs, so the response it builds carries it. Setting a header on a finished
  // response makes Hono rebuild it as a web Response with a stream body, which @hono/node-server
  // then has to read back: a fifth of the API's own CPU per heartbeat (docs/adr/0012).
  c.header('X-Request-Id', requestId);
  const started = performance.now();
  try {
    await next();
  } finally {
    // A response made without the context (a raw Response from a handler) did not get it: add it.
    if (c.res.headers.get('X-Request-Id') !== requestId) c.header('X-Request-Id', requestId);
    const seconds = (performance.now() - started) / 1000;
    const route = c.res.status === 404 ? 'unmatched' : routePath(c, -1) || 'unmatched';
    httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    const level = c.get('quietAccessLog') && c.res.status < 400 ? 'debug' : 'info';
    if (logger.isLevelEnabled(level))
      log[level](
        { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) },
        'request',
      );
  }
});

import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { tooLarge } from '../../domain/shared/errors';

/**
 * Refuses bodies over `maxBytes` with 413. A body with a Content-Length (and no Transfer-Encoding)
 * is judged by that header alone: Node's HTTP parser never delivers more bytes than it declares.
 * Only a chunked body is counted as it streams, by hono's bodyLimit. Asking hono's middleware about
 * every request made @hono/node-server build a full web Request with a ReadableStream for each one
 * (GETs included), a third of the API's CPU on the paid-session heartbeat (docs/adr/0012).
 */
export function limitBody(maxBytes: number) {
  const refuse = () => {
    throw tooLarge(`Request body is larger than ${maxBytes / (1024 * 1024)} MiB`);
  };
  const streamed = bodyLimit({ maxSize: maxBytes, onError: refuse });
  return createMiddleware(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (!/^\d+$/.test(length) || Number(length) > maxBytes) refuse();
      return next();
    }
    return streamed(c, next);
  });
}

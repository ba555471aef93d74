import { serve, type ServerType } from '@hono/node-server';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestContext, type TestContext } from '../support/harness';

// Bodies over 1 MiB are refused with 413 over a real socket, whether the client declares the length
// or streams the body chunked (src/api/middleware/body-limit.ts judges the first by its header and
// counts the second as it arrives), and a body at the limit reaches the route.
let ctx: TestContext;
let server: ServerType;
let port: number;

beforeAll(async () => {
  ctx = await startTestContext();
  server = serve({ fetch: ctx.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.close();
  await ctx?.close();
});

/** POST /api/auth/login with `size` bytes of JSON, declared (Content-Length) or chunked. */
function post(size: number, chunked: boolean): Promise<{ status: number; body: any }> {
  const body = Buffer.from(JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(size - 40) }));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/auth/login',
        headers: {
          'content-type': 'application/json',
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

describe('request body limit', () => {
  for (const chunked of [false, true]) {
    const how = chunked ? 'chunked' : 'with Content-Length';
    it(`a body over 1 MiB, ${how}, is refused with 413`, async () => {
      const res = await post(1024 * 1024 + 100, chunked);
      expect(res.status).toBe(413);
      expect(res.body.error.message).toBe('Request body is larger than 1 MiB');
    });

    it(`a body under the limit, ${how}, reaches the route`, async () => {
      const res = await post(64 * 1024, chunked);
      // The login route read it and judged the credentials (or the password's length), not the size.
      expect([400, 401]).toContain(res.status);
    });
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, type TestContext } from '../support/harness';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext();
});
afterAll(async () => ctx?.close());

describe('operations endpoints', () => {
  it('/health answers without touching dependencies', async () => {
    const res = await call(ctx.app, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/ready checks Postgres, Temporal and S3', async () => {
    const res = await call(ctx.app, 'GET', '/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    for (const dep of ['postgres', 'temporal', 's3']) expect(res.body.checks[dep].ok).toBe(true);
  });

  it('/ready answers 503 naming the dependency that is down', async () => {
    const broken = await startTestContext({ env: { S3_BUCKET: 'no-such-bucket-anywhere' } });
    try {
      const res = await call(broken.app, 'GET', '/ready');
      expect(res.status).toBe(503);
      expect(res.body.checks.s3.ok).toBe(false);
      expect(res.body.checks.postgres.ok).toBe(true);
    } finally {
      await broken.close();
    }
  });

  it('puts a request id on every response and keeps a sane client-supplied one', async () => {
    const generated = await call(ctx.app, 'GET', '/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await call(ctx.app, 'GET', '/health', { headers: { 'x-request-id': 'client-abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-abc-123');
    const unsafe = await call(ctx.app, 'GET', '/health', {
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(unsafe.headers.get('x-request-id')).not.toBe('bad id\twith spaces');
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await call(ctx.app, 'GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No route for GET /api/nothing-here' } });
  });

  it('serves the OpenAPI document and the interactive docs', async () => {
    const spec = await call(ctx.app, 'GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
    const docs = await ctx.app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await call(ctx.app, 'GET', '/health');
    const res = await ctx.app.request('/metrics');
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { lintOpenApi, openApiDocument } from '../../../scripts/openapi-lint';

// Issue 9 #18: Redocly's recommended rules reported 10 errors (no `security` on the public operations,
// no `servers`) and 79 warnings (76 operations without an operationId) on /openapi.json.

type Operation = { operationId?: string; security?: Record<string, string[]>[] };

async function operations() {
  const doc = (await openApiDocument()) as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, ...op })),
  );
}

describe('the OpenAPI document (issue 9 #18)', () => {
  it('lints clean with Redocly CLI: no error, no warning', async () => {
    const run = await lintOpenApi(['--format=json']);
    const report = JSON.parse(run.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(run.status).toBe(0);
  }, 30_000);

  it('names every operation with a unique camelCase operationId', async () => {
    const ops = await operations();
    const ids = ops.map((op) => op.operationId);
    expect(ops.filter((op) => !/^[a-z][A-Za-z]+$/.test(op.operationId ?? '')).map((op) => op.key)).toEqual(
      [],
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('says which operations need no token, and every other one takes the bearer token', async () => {
    const ops = await operations();
    // `security: []` (no token) or an empty requirement among others (a token is optional).
    const open = ops.filter(
      (op) => op.security?.length === 0 || op.security?.some((req) => Object.keys(req).length === 0),
    );
    expect(open.map((op) => op.key).sort()).toEqual(
      [
        'GET /api/availability/slots',
        'GET /api/coaches/{slug}',
        'GET /api/coaches/{slug}/services',
        'GET /api/courses/{slug}',
        'GET /api/plans',
        'GET /health',
        'GET /ready',
        'POST /api/analytics/events',
        'POST /api/auth/login',
        'POST /api/auth/refresh',
        'POST /api/auth/register',
        'POST /api/webhooks/stripe',
      ].sort(),
    );
    const bearer = ops.filter((op) => !open.includes(op));
    expect(
      bearer.filter((op) => JSON.stringify(op.security) !== '[{"bearerAuth":[]}]').map((op) => op.key),
    ).toEqual([]);
  });
});

import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { authenticate } from '../../app/identity/accounts';
import type { Deps } from '../../infra/deps';
import { bearerToken } from '../middleware/auth';
import { registry } from '../middleware/metrics';
import type { RequestVars } from '../middleware/request-context';

// `error` (the dependency's raw error text: hosts, bucket names, driver messages) is only for operators:
// it goes to the log, and into the answer only for a superuser's token (issue 9 #14).
const Check = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
const Readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgres: Check, temporal: Check, s3: Check }),
});

async function timed(run: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await withTimeout(run(), 3_000);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: describeFailure(err).slice(0, 300),
    };
  }
}

/** Name, message and (for AWS SDK errors, whose message is often just "UnknownError") the HTTP status. */
function describeFailure(err: unknown): string {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name}: ${e.message}${status ? ` (HTTP ${status})` : ''}`;
}

const upOrDown = ({ ok, ms }: { ok: boolean; ms: number }) => ({ ok, ms });

/** A valid superuser bearer token; any failure (no token, bad token, database down) means no. */
async function isOperator(deps: Pick<Deps, 'db' | 'cfg'>, authorization: string | undefined) {
  const token = bearerToken(authorization);
  if (!token) return false;
  try {
    return (await authenticate(deps.db, deps.cfg, token)).role === 'superuser';
  } catch {
    return false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function healthRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: RequestVars }>();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      operationId: 'getHealth',
      security: [],
      tags: ['operations'],
      summary: 'Liveness: the process is up',
      responses: {
        200: {
          description: 'alive',
          content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
        },
      },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/ready',
      operationId: 'getReadiness',
      // Anyone may ask; a superuser's token adds each failing dependency's error text.
      security: [{}, { bearerAuth: [] }],
      tags: ['operations'],
      summary: 'Readiness: Postgres, Temporal and S3 answer',
      description:
        'Each dependency up or down with its latency. The raw error text of a failed check is logged; it is in the answer only for a superuser’s bearer token.',
      responses: {
        200: {
          description: 'every dependency answered',
          content: { 'application/json': { schema: Readiness } },
        },
        503: {
          description: 'a dependency did not answer',
          content: { 'application/json': { schema: Readiness } },
        },
      },
    }),
    async (c) => {
      const [postgres, temporal, s3] = await Promise.all([
        timed(() => deps.db.$queryRaw`SELECT 1`),
        timed(() => deps.temporal.workflowService.getSystemInfo({})),
        timed(() => deps.s3.send(new HeadBucketCommand({ Bucket: deps.cfg.S3_BUCKET }))),
      ]);
      const checks = { postgres, temporal, s3 };
      const ready = postgres.ok && temporal.ok && s3.ok;
      if (!ready) c.get('log').warn({ checks }, 'not ready');
      const detailed = await isOperator(deps, c.req.header('authorization'));
      const body = {
        status: ready ? ('ready' as const) : ('unavailable' as const),
        checks: detailed
          ? checks
          : {
              postgres: upOrDown(postgres),
              temporal: upOrDown(temporal),
              s3: upOrDown(s3),
            },
      };
      return ready ? c.json(body, 200) : c.json(body, 503);
    },
  );

  app.get('/metrics', async (c) =>
    c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType }),
  );
  return app;
}

import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../infra/deps';
import { onError, onNotFound, validationHook } from './errors';
import { limitBody } from './middleware/body-limit';
import { rejectNul } from './middleware/nul-guard';
import { requestContext, type RequestVars } from './middleware/request-context';
import { adminRoutes } from './admin/routes';
import { authRoutes } from './auth/routes';
import { availabilityRoutes } from './availability/routes';
import { bookingRoutes } from './bookings/routes';
import { paidSessionRoutes } from './paid-sessions/routes';
import { coachRoutes } from './coaches/routes';
import { courseRoutes } from './courses/routes';
import { docsRoutes } from './docs/routes';
import { earningsRoutes } from './earnings/routes';
import { healthRoutes } from './health/routes';
import { orgRoutes } from './orgs/routes';
import { planRoutes } from './plans/routes';
import { rosterRoutes } from './roster/routes';
import { subscriptionRoutes } from './subscriptions/routes';
import { videoRoutes } from './videos';
import { offeringRoutes } from './bookings/offering-routes';
import { payoutRoutes } from './payouts/routes';
import { webhookRoutes } from './payments/routes';
import { purchaseRoutes } from './purchases/routes';
import { analyticsRoutes } from './analytics/routes';

export type AppEnv = { Variables: RequestVars };

/** JSON bodies are small: media goes straight to S3 through presigned URLs, never through the API. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The whole HTTP API. Each domain contributes one router; all share the error shape and middleware. */
export function createApp(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use('*', requestContext);
  app.use('/api/*', limitBody(MAX_BODY_BYTES));

  app.use('/api/*', rejectNul);

  app.route('/', healthRoutes(deps));
  app.route('/', authRoutes(deps));
  app.route('/', rosterRoutes(deps));
  app.route('/', earningsRoutes(deps));
  app.route('/', coachRoutes(deps));
  app.route('/', courseRoutes(deps));
  app.route('/', orgRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', videoRoutes(deps));
  app.route('/', offeringRoutes(deps));
  app.route('/', availabilityRoutes(deps));
  app.route('/', bookingRoutes(deps));
  app.route('/', paidSessionRoutes(deps));
  app.route('/', planRoutes());
  app.route('/', subscriptionRoutes(deps));
  app.route('/', payoutRoutes(deps));
  app.route('/', purchaseRoutes(deps));
  app.route('/', analyticsRoutes(deps));
  app.route('/', webhookRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'CoachFlow API',
      version: '0.1.0',
      description: 'Bookings, video sessions, paid sessions and subscriptions for coaches.',
    },
    // Relative: the API is wherever this document was fetched from (any host, behind any proxy), which
    // also keeps /docs' requests same-origin under its self-only Content-Security-Policy.
    servers: [{ url: '/', description: 'This deployment' }],
  });
  app.route('/', docsRoutes());

  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

export type App = ReturnType<typeof createApp>;

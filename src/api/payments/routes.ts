import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../infra/deps';
import { handleStripeWebhook } from '../../app/payments/webhooks';
import { errorResponses, json } from '../openapi';

export function webhookRoutes(deps: Deps) {
  const app = new OpenAPIHono();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/webhooks/stripe',
      operationId: 'receiveStripeEvent',
      // Authenticated by the Stripe-Signature header, not a bearer token.
      security: [],
      tags: ['webhooks'],
      summary:
        'Stripe events (signed). Stored once by event id and forwarded to the owning workflow; unknown types are acknowledged',
      // No body schema on purpose: the signature covers the exact raw bytes, so the body is read as text.
      request: { headers: z.object({ 'stripe-signature': z.string().optional() }) },
      responses: {
        200: json(
          z.object({
            received: z.literal(true),
            eventId: z.string(),
            outcome: z.enum(['routed', 'ignored', 'duplicate']),
          }),
          'Acknowledged (routed, ignored or already seen)',
        ),
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const raw = await c.req.text();
      const result = await handleStripeWebhook(deps, raw, c.req.header('stripe-signature'));
      return c.json({ received: true as const, eventId: result.eventId, outcome: result.outcome }, 200);
    },
  );

  return app;
}

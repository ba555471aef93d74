import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  cancelSubscription,
  changePlan,
  myInvoices,
  mySubscription,
  previewChange,
  resumeSubscription,
  subscribe,
} from '../../app/subscriptions/subscriptions';
import type { Deps } from '../../infra/deps';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, listOf, secured } from '../openapi';
import {
  CancelBody,
  ChangeBody,
  ChangeResult,
  InvoiceSchema,
  OneSubscription,
  PreviewBody,
  PreviewResult,
  SubscribeBody,
  SubscribeResult,
} from './schemas';
import { invoiceView, subscriptionView } from './views';

// Your subscription (src/app/subscriptions: changes are Updates on subscription-<userId>).

export function subscriptionRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const tags = ['subscriptions'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/subscriptions/me',
      operationId: 'getMySubscription',
      tags,
      summary: 'Your subscription: plan, status, period, scheduled changes, dunning and grace period',
      ...secured,
      middleware: [auth],
      responses: { 200: json(OneSubscription, 'Your subscription'), ...errorResponses(401) },
    }),
    async (c) =>
      c.json({ subscription: subscriptionView(await mySubscription(deps, c.get('user').id)) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions',
      operationId: 'subscribe',
      tags,
      summary:
        'Subscribe to a plan: creates the Stripe customer and subscription; confirm the first payment with the client secret',
      ...secured,
      middleware: [auth],
      request: { body: body(SubscribeBody) },
      responses: {
        201: json(SubscribeResult, 'Subscription created (incomplete until the first invoice is paid)'),
        ...errorResponses(400, 401, 409, 503),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = await subscribe(deps, c.get('user'), input);
      return c.json(
        {
          subscription: subscriptionView(r.subscription),
          payment: { needsPayment: r.needsPayment, clientSecret: r.clientSecret },
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions/preview',
      operationId: 'previewSubscriptionChange',
      tags,
      summary: 'What a plan change would cost now (prorated to the second) and when it would take effect',
      ...secured,
      middleware: [auth],
      request: { body: body(PreviewBody) },
      responses: { 200: json(PreviewResult, 'The change, priced'), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const p = await previewChange(deps, c.get('user').id, c.req.valid('json'));
      return c.json(p, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions/change',
      operationId: 'changeSubscriptionPlan',
      tags,
      summary:
        'Change plan: upgrades now with proration, downgrades at the period end unless `when` says now',
      ...secured,
      middleware: [auth],
      request: { body: body(ChangeBody) },
      responses: { 200: json(ChangeResult, 'Changed or scheduled'), ...errorResponses(400, 401, 409, 503) },
    }),
    async (c) => {
      const r = await changePlan(deps, c.get('user'), c.req.valid('json'));
      return c.json({ subscription: subscriptionView(r.subscription), effective: r.effective }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions/cancel',
      operationId: 'cancelSubscription',
      tags,
      summary: 'Cancel at the period end (operators may end one immediately, also another user’s)',
      ...secured,
      middleware: [auth],
      request: { body: body(CancelBody) },
      responses: {
        200: json(OneSubscription, 'Cancellation scheduled (or done)'),
        ...errorResponses(400, 401, 403, 404, 409, 503),
      },
    }),
    async (c) => {
      const s = await cancelSubscription(deps, c.get('user'), c.req.valid('json'));
      return c.json({ subscription: subscriptionView(s) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions/resume',
      operationId: 'resumeSubscription',
      tags,
      summary: 'Withdraw a cancellation scheduled for the period end',
      ...secured,
      middleware: [auth],
      responses: { 200: json(OneSubscription, 'Resumed'), ...errorResponses(401, 409, 503) },
    }),
    async (c) => {
      const s = await resumeSubscription(deps, c.get('user'));
      return c.json({ subscription: subscriptionView(s) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/subscriptions/me/invoices',
      operationId: 'listMyInvoices',
      tags,
      summary: 'Your subscription invoices, newest first (from Stripe)',
      ...secured,
      middleware: [auth],
      responses: { 200: json(listOf(InvoiceSchema), 'Invoices'), ...errorResponses(401, 503) },
    }),
    async (c) => c.json({ items: (await myInvoices(deps, c.get('user').id)).map(invoiceView) }, 200),
  );

  return app;
}

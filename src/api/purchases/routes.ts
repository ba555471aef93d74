import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { creditsFor, listPurchasesOf, purchaseFor, refundAsCoach } from '../../app/purchases/purchases';
import { checkout } from '../../app/purchases/checkout';
import type { Deps } from '../../infra/deps';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, listOf, pageOf, secured } from '../openapi';
import {
  CreditSchema,
  ListPurchasesQuery,
  OnePurchase,
  PurchaseSchema,
  RefundBody,
  RefundedPurchase,
} from './schemas';
import { creditView, purchaseView } from './views';

// Checkout (products and packages), the buyer's purchases and credits, the coach's sales and refunds.

export function purchaseRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const { db } = deps;
  const timeout = deps.cfg.PURCHASE_CHECKOUT_TIMEOUT;

  for (const kind of ['products', 'packages'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/checkout/${kind}/{id}`,
        operationId: kind === 'products' ? 'checkoutProduct' : 'checkoutPackage',
        tags: ['checkout'],
        summary:
          kind === 'products'
            ? 'Buy a product or package: answers the purchase with its PaymentIntent client secret; unpaid, it expires'
            : 'Buy a package (the same as /api/checkout/products/{id}, by the path seed 003 names)',
        ...secured,
        middleware: [auth],
        request: { params: IdParam },
        responses: {
          201: json(OnePurchase, 'Checkout started (PENDING until Stripe reports the payment)'),
          200: json(OnePurchase, 'Your open checkout of this product, answered again'),
          ...errorResponses(400, 401, 404, 409, 429),
          ...errorResponses(503),
        },
      }),
      async (c) => {
        const user = c.get('user');
        const { purchase, created } = await checkout(deps, user.id, c.req.valid('param').id);
        return c.json({ purchase: purchaseView(purchase, user, timeout) }, created ? 201 : 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/purchases',
      operationId: 'listMyPurchases',
      tags: ['checkout'],
      summary: 'What you bought, newest first',
      ...secured,
      middleware: [auth],
      request: { query: ListPurchasesQuery },
      responses: { 200: json(pageOf(PurchaseSchema), 'Your purchases'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const user = c.get('user');
      const { items, total } = await listPurchasesOf(deps, { buyerId: user.id }, c.req.valid('query'));
      return c.json({ items: items.map((p) => purchaseView(p, user, timeout)), total }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/sales',
      operationId: 'listMySales',
      tags: ['checkout'],
      summary: 'Coach: your products’ purchases, newest first',
      ...secured,
      middleware: [auth],
      request: { query: ListPurchasesQuery },
      responses: { 200: json(pageOf(PurchaseSchema), 'Your sales'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const user = c.get('user');
      const { items, total } = await listPurchasesOf(deps, { coachId: user.id }, c.req.valid('query'));
      return c.json({ items: items.map((p) => purchaseView(p, user, timeout)), total }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/purchases/{id}',
      operationId: 'getPurchase',
      tags: ['checkout'],
      summary: 'One purchase (its buyer or its coach)',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: { 200: json(OnePurchase, 'The purchase'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const user = c.get('user');
      const purchase = await purchaseFor(deps, user.id, c.req.valid('param').id);
      return c.json({ purchase: purchaseView(purchase, user, timeout) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/purchases/{id}/refund',
      operationId: 'refundPurchase',
      tags: ['checkout'],
      summary:
        'Coach: refund a sale. Unused credits are revoked; by default the unused share of the price is refunded; the answer says what was kept',
      ...secured,
      middleware: [auth],
      request: { params: IdParam, body: body(RefundBody) },
      responses: {
        200: json(RefundedPurchase, 'Refunded'),
        ...errorResponses(400, 401, 404, 409, 429),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const { purchase, refund } = await refundAsCoach(
        deps,
        user.id,
        c.req.valid('param').id,
        c.req.valid('json').amountMinor,
      );
      return c.json(
        {
          purchase: purchaseView(purchase, user, timeout),
          refund: {
            refundedMinor: refund.refundedMinor,
            revokedCredits: refund.revokedCredits,
            keptCredits: refund.keptCredits,
            note: refund.note,
            revokedCourses: refund.revokedCourses ?? [],
          },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/credits',
      operationId: 'listMyCredits',
      tags: ['checkout'],
      summary: 'Your package credits: what is left of each, until when',
      ...secured,
      middleware: [auth],
      responses: { 200: json(listOf(CreditSchema), 'Your credits'), ...errorResponses(401) },
    }),
    async (c) => {
      const now = new Date();
      const credits = await creditsFor(deps, c.get('user').id);
      return c.json({ items: credits.map((g) => creditView(g, now)) }, 200);
    },
  );

  return app;
}

import type Stripe from 'stripe';
import { Prisma } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { logger } from '../../infra/logger';
import { invalid, invalidFields, type FieldProblem } from '../../domain/shared/errors';
import { bookingPaymentRouter } from '../bookings/webhooks';
import { paidSessionPaymentRouter } from '../paid-sessions/webhooks';
import { connectAccountRouter, transferReversedRouter } from '../payouts/webhooks';
import { purchasePaymentRouter } from '../purchases/webhooks';
import { subscriptionEventRouter } from '../subscriptions/webhooks';
import type { StripeEventRoute, StripeEventRouter } from './router';

// POST /api/webhooks/stripe: verify the signature on the raw body, store each event once (its
// Stripe id is the primary key), and signal the workflow that owns the object with signalWithStart
// (so an event for a workflow that has finished starts a run that settles it, e.g. refunds a late
// payment). Workflows dedupe by event id as well, so a redelivery after a failed routing is safe.
// Each feature's router lives in its own folder (src/app/<feature>/webhooks.ts) and is listed in
// STRIPE_EVENT_ROUTERS below; card payments' routers come from paymentEventRouter (./router.ts).

/** A request that does not carry Stripe's valid signature is refused (400), and nothing of it is stored. */
const badSignature = (reason: string) =>
  invalid(`Webhook signature verification failed: ${reason}`, undefined, 'invalid_signature');

/** Every feature that owns Stripe objects registers its router here; the first that claims an event gets it. */
export const STRIPE_EVENT_ROUTERS: StripeEventRouter[] = [
  bookingPaymentRouter,
  purchasePaymentRouter,
  paidSessionPaymentRouter,
  connectAccountRouter,
  transferReversedRouter,
  subscriptionEventRouter,
];

export type WebhookOutcome = {
  eventId: string;
  outcome: 'routed' | 'ignored' | 'duplicate';
  workflowId?: string;
};

/**
 * The envelope every Stripe event has. A signed body without it (a hand-made test event, a future
 * format) is refused with the fields named, instead of failing on insert (a 500 Stripe would retry).
 */
function envelopeProblems(event: unknown): FieldProblem[] {
  const e = (event ?? {}) as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const text = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 255;
  if (!text(e.id)) problems.push({ field: 'id', reason: 'must be the event id (a string)' });
  if (!text(e.type)) problems.push({ field: 'type', reason: 'must be the event type (a string)' });
  if (typeof e.livemode !== 'boolean') problems.push({ field: 'livemode', reason: 'must be true or false' });
  if (!Number.isSafeInteger(e.created))
    problems.push({ field: 'created', reason: 'must be a Unix time in seconds' });
  const data = e.data as Record<string, unknown> | null | undefined;
  const object = data && typeof data === 'object' ? data.object : undefined;
  if (!object || typeof object !== 'object' || Array.isArray(object))
    problems.push({ field: 'data.object', reason: 'must be the object the event is about' });
  return problems;
}

export async function handleStripeWebhook(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg' | 'stripe'>,
  rawBody: string,
  signature: string | undefined,
): Promise<WebhookOutcome> {
  if (!signature) throw badSignature('Missing Stripe-Signature header');
  let event: Stripe.Event;
  try {
    event = deps.stripe.webhooks.constructEvent(rawBody, signature, deps.cfg.STRIPE_WEBHOOK_SECRET);
  } catch (err) {
    throw badSignature((err as Error).message);
  }
  const problems = envelopeProblems(event);
  if (problems.length > 0) throw invalidFields(problems, 'invalid_event', 'Not a Stripe event');

  const object = event.data?.object as { id?: unknown } | undefined;
  const inserted = await deps.db.stripeWebhookEvent.createMany({
    data: [
      {
        id: event.id,
        type: event.type,
        livemode: event.livemode,
        objectId: typeof object?.id === 'string' ? object.id : null,
        payload: JSON.parse(rawBody) as Prisma.InputJsonValue,
      },
    ],
    skipDuplicates: true,
  });
  if (inserted.count === 0) {
    const stored = await deps.db.stripeWebhookEvent.findUniqueOrThrow({
      where: { id: event.id },
      select: { routedAt: true },
    });
    // Routed (or ignored) before: nothing to do. Otherwise the earlier delivery failed half-way: route it now.
    if (stored.routedAt) return { eventId: event.id, outcome: 'duplicate' };
  }

  let route: StripeEventRoute | undefined;
  for (const router of STRIPE_EVENT_ROUTERS) {
    route = await router(deps, event);
    if (route) break;
  }
  if (route) await route.deliver();
  else logger.debug({ eventId: event.id, type: event.type }, 'stripe event acknowledged and ignored');
  await deps.db.stripeWebhookEvent.update({
    where: { id: event.id },
    data: { routedAt: new Date(), routedTo: route?.workflowId ?? null },
  });
  return route
    ? { eventId: event.id, outcome: 'routed', workflowId: route.workflowId }
    : { eventId: event.id, outcome: 'ignored' };
}

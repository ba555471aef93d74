import type Stripe from 'stripe';
import { Prisma } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { logger } from '../../infra/logger';
import {
  bookingWorkflowType,
  paymentSignal,
  type BookingWorkflow,
  type PaymentSignal,
} from '../../../workflows/bookings/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import { invalid, invalidFields, type FieldProblem } from '../../domain/shared/errors';
import { bookingWorkflowInput } from '../bookings/workflow';
import { subscriptionEventRouter } from '../subscriptions/webhooks';
import { connectAccountRouter, transferReversedRouter } from '../payouts/webhook';
import { purchaseEventRouter } from '../purchases/webhooks';
import { paidSessionPaymentRouter } from '../paid-sessions/webhooks';

// POST /api/webhooks/stripe: verify the signature on the raw body, store each event once (its
// Stripe id is the primary key), and signal the workflow that owns the object with signalWithStart
// (so an event for a workflow that has finished starts a run that settles it, e.g. refunds a late
// payment). Workflows dedupe by event id as well, so a redelivery after a failed routing is safe.
// Other features add their own router to STRIPE_EVENT_ROUTERS.

/** A request that does not carry Stripe's valid signature is refused (400), and nothing of it is stored. */
const badSignature = (reason: string) =>
  invalid(`Webhook signature verification failed: ${reason}`, undefined, 'invalid_signature');

/** Where an event goes: the workflow to signal and how. undefined = not ours; acknowledged and ignored. */
export interface StripeEventRoute {
  workflowId: string;
  deliver(): Promise<void>;
}

export type StripeEventRouter = (
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  event: Stripe.Event,
) => Promise<StripeEventRoute | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PAYMENT_KINDS: Record<string, PaymentSignal['kind'] | undefined> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'canceled',
};

/** PaymentIntents we created for bookings carry metadata { kind: 'booking', bookingId }. */
export const bookingPaymentRouter: StripeEventRouter = async (deps, event) => {
  const kind = PAYMENT_KINDS[event.type];
  if (!kind) return undefined;
  const intent = event.data.object as Stripe.PaymentIntent;
  const bookingId = intent.metadata?.bookingId;
  if (intent.metadata?.kind !== 'booking' || !bookingId || !UUID.test(bookingId)) return undefined;
  const exists = await deps.db.booking.count({ where: { id: bookingId } });
  if (!exists) return undefined;
  const signal: PaymentSignal = {
    eventId: event.id,
    kind,
    paymentIntentId: intent.id,
    amountMinor: kind === 'succeeded' ? intent.amount_received || intent.amount : intent.amount,
    currency: intent.currency,
    ...(kind === 'failed' && intent.last_payment_error?.message
      ? { message: intent.last_payment_error.message }
      : {}),
  };
  const workflowId = workflowIds.booking(bookingId);
  return {
    workflowId,
    async deliver() {
      await deps.temporal.workflow.signalWithStart<BookingWorkflow, [PaymentSignal]>(bookingWorkflowType, {
        workflowId,
        taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
        args: [bookingWorkflowInput(deps.cfg, bookingId)],
        signal: paymentSignal,
        signalArgs: [signal],
      });
    },
  };
};

export const STRIPE_EVENT_ROUTERS: StripeEventRouter[] = [
  bookingPaymentRouter,
  connectAccountRouter,
  transferReversedRouter,
  subscriptionEventRouter,
  purchaseEventRouter,
  paidSessionPaymentRouter,
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

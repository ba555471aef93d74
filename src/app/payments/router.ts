import type Stripe from 'stripe';
import { readPaymentEvent, type PaymentEvent } from '../../domain/payments/events';
import type { Deps } from '../../infra/deps';
import { logger } from '../../infra/logger';

// How a Stripe event finds the workflow it is about. Each feature that owns Stripe objects registers
// a router in src/app/payments/webhooks.ts (STRIPE_EVENT_ROUTERS); features that take card payments
// make theirs with paymentEventRouter: (kind, owns, signal). The router reads the event once
// (src/domain/payments/events.ts), finds the row that STORED the PaymentIntent id — metadata never
// decides whose an event is — and hands the feature the normalised event to signal its workflow.

export type RouterDeps = Pick<Deps, 'db' | 'temporal' | 'cfg'>;

/** Where an event goes: the workflow to signal and how. undefined = not ours; acknowledged and ignored. */
export interface StripeEventRoute {
  workflowId: string;
  deliver(): Promise<void>;
}

export type StripeEventRouter = (
  deps: RouterDeps,
  event: Stripe.Event,
) => Promise<StripeEventRoute | undefined>;

export interface PaymentOwner<Row, E extends PaymentEvent> {
  /** metadata.kind on this feature's PaymentIntents ('booking', 'purchase', 'paid_session'). */
  kind: string;
  /** The metadata key naming our row's id on this feature's PaymentIntents ('bookingId', …). */
  idKey: string;
  /** The events this feature's workflow takes; others pass to the next router. */
  takes(ev: PaymentEvent): ev is E;
  /** The row that stored this PaymentIntent id, if it is this feature's. */
  owns(deps: RouterDeps, paymentIntentId: string): Promise<Row | null>;
  rowId(row: Row): string;
  /** Signals the row's workflow (signalWithStart: a finished run is restarted to settle the event). */
  signal(deps: RouterDeps, row: Row, event: E, eventId: string): StripeEventRoute;
}

/**
 * A feature's payment_intent.* / charge.* router. An intent's metadata may name another kind (that
 * feature's router judges it) or, when it names this kind, must name the row that stored the intent:
 * an event whose ids disagree with ours changes nothing and is logged.
 */
export function paymentEventRouter<Row, E extends PaymentEvent>(
  owner: PaymentOwner<Row, E>,
): StripeEventRouter {
  return async (deps, event) => {
    const ev = readPaymentEvent(event.type, event.data?.object);
    if (!ev || !owner.takes(ev)) return undefined;
    if (ev.metadata.kind !== undefined && ev.metadata.kind !== owner.kind) return undefined;
    const row = await owner.owns(deps, ev.paymentIntentId);
    if (!row) return undefined;
    const named = ev.metadata[owner.idKey];
    if (named !== undefined && named !== owner.rowId(row)) {
      logger.warn(
        { eventId: event.id, type: event.type, paymentIntentId: ev.paymentIntentId, kind: owner.kind },
        'stripe event names another row than the one that stored its PaymentIntent; ignored',
      );
      return undefined;
    }
    return owner.signal(deps, row, ev, event.id);
  };
}

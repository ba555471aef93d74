import { isStripeId } from '../shared/ids';

// Stripe's payment_intent.* and charge.* events as the payments core reads them: one shape for
// every feature that takes card payments. Pure: the webhook router normalises the event here, finds
// the row that stored the PaymentIntent id, and hands the feature this — never the raw event — so
// an amount or id that is not what Stripe sends is refused in one place.

/** What happened to a PaymentIntent or its charge. */
export type PaymentEventKind =
  /** Charged (automatic capture). */
  | 'succeeded'
  | 'failed'
  | 'canceled'
  /** A manual-capture intent's funds are held and can be captured. */
  | 'authorised'
  /** charge.refunded: the charge's cumulative refunded amount changed. */
  | 'refunded'
  | 'dispute_created'
  | 'dispute_closed';

export interface PaymentEvent {
  kind: PaymentEventKind;
  paymentIntentId: string;
  /**
   * Minor units: charged (succeeded), asked (failed, canceled), capturable (authorised), refunded
   * so far in total (refunded), disputed (dispute_*).
   */
  amountMinor: number;
  /** Lowercase ISO 4217, as Stripe sends it. */
  currency: string;
  /** The PaymentIntent's metadata (intent events only; a charge does not carry it). */
  metadata: Record<string, string>;
  /** payment_failed: the decline message. */
  message?: string;
  /** refunded: the newest refund's id, when the event lists one. */
  refundId?: string;
  /** dispute_*: Stripe's dispute id and, when closed, its status ('won', 'lost', …). */
  disputeId?: string;
  disputeStatus?: string;
}

const INTENT_KINDS: Record<string, PaymentEventKind | undefined> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'canceled',
  'payment_intent.amount_capturable_updated': 'authorised',
};

const DISPUTE_KINDS: Record<string, PaymentEventKind | undefined> = {
  'charge.dispute.created': 'dispute_created',
  'charge.dispute.closed': 'dispute_closed',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMinor = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCurrency = (v: unknown): v is string => typeof v === 'string' && /^[a-z]{3}$/i.test(v);
/** An expandable Stripe reference: the id, or the object with its id. */
const idOf = (v: unknown): string | undefined => {
  const id = isObj(v) ? v.id : v;
  return isStripeId(id) ? id : undefined;
};

function metadataOf(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * The payment event a Stripe event is, or undefined when it is not one (another type, or a payload
 * without a valid PaymentIntent id, amount or currency: nothing of ours can be about it).
 */
export function readPaymentEvent(type: string, object: unknown): PaymentEvent | undefined {
  if (!isObj(object)) return undefined;
  const intentKind = INTENT_KINDS[type];
  if (intentKind) {
    const amount =
      intentKind === 'succeeded'
        ? object.amount_received || object.amount
        : intentKind === 'authorised'
          ? object.amount_capturable
          : object.amount;
    const paymentIntentId = idOf(object.id);
    if (!paymentIntentId || !isMinor(amount) || !isCurrency(object.currency)) return undefined;
    const error = isObj(object.last_payment_error) ? object.last_payment_error.message : undefined;
    return {
      kind: intentKind,
      paymentIntentId,
      amountMinor: amount,
      currency: object.currency,
      metadata: metadataOf(object.metadata),
      ...(intentKind === 'failed' && typeof error === 'string' && error ? { message: error } : {}),
    };
  }
  const paymentIntentId = idOf(object.payment_intent);
  if (!paymentIntentId || !isCurrency(object.currency)) return undefined;
  if (type === 'charge.refunded') {
    if (!isMinor(object.amount_refunded)) return undefined;
    const refunds = isObj(object.refunds) && Array.isArray(object.refunds.data) ? object.refunds.data : [];
    const refundId = idOf(refunds[0]);
    return {
      kind: 'refunded',
      paymentIntentId,
      amountMinor: object.amount_refunded,
      currency: object.currency,
      metadata: {},
      ...(refundId ? { refundId } : {}),
    };
  }
  const disputeKind = DISPUTE_KINDS[type];
  if (disputeKind) {
    if (!isMinor(object.amount)) return undefined;
    const disputeId = idOf(object.id);
    return {
      kind: disputeKind,
      paymentIntentId,
      amountMinor: object.amount,
      currency: object.currency,
      metadata: {},
      ...(disputeId ? { disputeId } : {}),
      ...(typeof object.status === 'string' ? { disputeStatus: object.status } : {}),
    };
  }
  return undefined;
}

/** The signal the card-payment workflows (booking-<id>, purchase-<id>) take about their intent. */
export interface CardPaymentSignal {
  eventId: string;
  kind: 'succeeded' | 'failed' | 'canceled';
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
  message?: string;
}

const CARD_PAYMENT_KINDS: readonly PaymentEventKind[] = ['succeeded', 'failed', 'canceled'];

export type CardPaymentEvent = PaymentEvent & { kind: CardPaymentSignal['kind'] };

export const isCardPayment = (ev: PaymentEvent): ev is CardPaymentEvent =>
  CARD_PAYMENT_KINDS.includes(ev.kind);

/** A succeeded / failed / canceled payment event as the card-payment workflows' signal. */
export function cardPaymentSignal(ev: CardPaymentEvent, eventId: string): CardPaymentSignal {
  return {
    eventId,
    kind: ev.kind,
    paymentIntentId: ev.paymentIntentId,
    amountMinor: ev.amountMinor,
    currency: ev.currency,
    ...(ev.message ? { message: ev.message } : {}),
  };
}

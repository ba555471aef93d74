import {
  paidSessionPaymentSignal,
  paidSessionWorkflowType,
  type PaidSessionPaymentSignal,
  type PaidSessionWorkflow,
} from '../../../workflows/paid-sessions/definitions';
import type { PaymentEvent, PaymentEventKind } from '../../domain/payments/events';
import { paymentEventRouter } from '../payments/router';
import { paidSessionStartOptions } from './workflow';

// Stripe events about a paid session's manual-capture PaymentIntent (authorised, canceled) and its
// charge (refunded, disputed) reach paid-session-<id> as signals; signalWithStart, so a refund or
// dispute after the session settled starts a short run that records it. The workflow checks the
// PaymentIntent id, the currency and the amount before an event counts.

const SIGNAL_KINDS: Partial<Record<PaymentEventKind, PaidSessionPaymentSignal['kind']>> = {
  authorised: 'authorised',
  canceled: 'canceled',
  refunded: 'refunded',
  dispute_created: 'dispute',
  dispute_closed: 'dispute',
};

export const paidSessionPaymentRouter = paymentEventRouter({
  kind: 'paid_session',
  idKey: 'paidSessionId',
  takes: (ev): ev is PaymentEvent => SIGNAL_KINDS[ev.kind] !== undefined,
  owns: (deps, paymentIntentId) => deps.db.paidSession.findUnique({ where: { paymentIntentId } }),
  rowId: (row) => row.id,
  signal(deps, row, ev, eventId) {
    const options = paidSessionStartOptions(deps, row);
    const signal: PaidSessionPaymentSignal = {
      eventId,
      kind: SIGNAL_KINDS[ev.kind]!,
      paymentIntentId: ev.paymentIntentId,
      amountMinor: ev.amountMinor,
      currency: ev.currency,
      ...(ev.refundId ? { refundId: ev.refundId } : {}),
    };
    return {
      workflowId: options.workflowId,
      async deliver() {
        await deps.temporal.workflow.signalWithStart<PaidSessionWorkflow, [PaidSessionPaymentSignal]>(
          paidSessionWorkflowType,
          { ...options, signal: paidSessionPaymentSignal, signalArgs: [signal] },
        );
      },
    };
  },
});

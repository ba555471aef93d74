import {
  bookingWorkflowType,
  paymentSignal,
  type BookingWorkflow,
  type PaymentSignal,
} from '../../../workflows/bookings/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import { cardPaymentSignal, isCardPayment } from '../../domain/payments/events';
import { paymentEventRouter } from '../payments/router';
import { bookingWorkflowInput } from './workflow';

// Stripe events about a booking's PaymentIntent (succeeded, failed, canceled) reach booking-<id> as
// signals; signalWithStart, so a payment for a booking whose run has ended starts a run that
// refunds it. The workflow checks the amount and currency before a payment counts.
export const bookingPaymentRouter = paymentEventRouter({
  kind: 'booking',
  idKey: 'bookingId',
  takes: isCardPayment,
  owns: (deps, paymentIntentId) =>
    deps.db.booking.findUnique({ where: { paymentIntentId }, select: { id: true } }),
  rowId: (row) => row.id,
  signal(deps, row, ev, eventId) {
    const workflowId = workflowIds.booking(row.id);
    return {
      workflowId,
      async deliver() {
        await deps.temporal.workflow.signalWithStart<BookingWorkflow, [PaymentSignal]>(bookingWorkflowType, {
          workflowId,
          taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
          args: [bookingWorkflowInput(deps.cfg, row.id)],
          signal: paymentSignal,
          signalArgs: [cardPaymentSignal(ev, eventId)],
        });
      },
    };
  },
});

import { setHandler } from '@temporalio/workflow';
import { Booking } from './booking';
import {
  bookingReadyUpdate,
  bookingStateQuery,
  cancelUpdate,
  noShowUpdate,
  paymentSignal,
  rescheduleUpdate,
  type BookingWorkflowInput,
  type BookingWorkflowResult,
} from './definitions';

// booking-<id>: one booking from its PENDING insert to COMPLETED / NO_SHOW / CANCELLED / EXPIRED.
//
//   PENDING ── payment signal (or free) ──> CONFIRMED ── invites ── reminder timer ── end ──> COMPLETED
//      │                                        │                                              │
//      └── hold timeout ──> EXPIRED             └── cancel update ──> CANCELLED (refund, CANCEL)  └── no-show update ──> NO_SHOW
//
// Handlers only record what arrived (signals) or make one guarded state change (updates); the main
// loop does everything slow (Stripe, email) and re-reads the state after each step, so a reschedule
// re-arms the reminder and a cancellation stops whatever was next. Every wait is an input, so tests
// run the whole lifecycle with short durations.
//
// Temporal accepts at most 2,000 updates per run. Requests the validators can judge are refused
// before acceptance (they do not count), reschedule requests are bounded per booking, and a run
// that has taken `updatesPerRun` updates (or is told history is long) continues as new with its
// state in the input (BookingCarryOver), so a booking stays changeable however long it lives.
//
// Where things are: the run's state (state.ts), its handlers and main loop (booking.ts), the money
// steps (payments.ts), what follows a cancellation or expiry (settlement.ts), the emails and invites
// (emails.ts), the updates' checks (requests.ts), the activity proxies (proxies.ts); the pure rules
// in src/domain/bookings and src/domain/payments.

export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingWorkflowResult> {
  const booking = new Booking(input);
  // Registered before the first await, so nothing sent with the start is refused.
  setHandler(paymentSignal, (event) => booking.receivePayment(event));
  setHandler(bookingStateQuery, () => booking.st.view());
  setHandler(bookingReadyUpdate, () => booking.ready());
  setHandler(cancelUpdate, (req) => booking.cancel(req), { validator: (req) => booking.validateCancel(req) });
  setHandler(rescheduleUpdate, (req) => booking.reschedule(req), {
    validator: (req) => booking.validateReschedule(req),
  });
  setHandler(noShowUpdate, (req) => booking.noShow(req), { validator: (req) => booking.validateNoShow(req) });
  return booking.run();
}

import { setHandler } from '@temporalio/workflow';
import {
  completePaidSessionUpdate,
  fundsUsedUpSignal,
  paidSessionPaymentSignal,
  paidSessionReadyUpdate,
  paidSessionStateQuery,
  startPaidSessionUpdate,
  type PaidSessionWorkflowInput,
  type PaidSessionWorkflowResult,
} from './definitions';
import { PaidSession } from './session';

// paid-session-<id>: locked ── start ──> active ── complete | idle | funds used up | auth window ──> completed
//                      └── complete / auth window / Stripe cancels before start ──> cancelled
//
// Heartbeats never enter this history: the heartbeat statement meters in Postgres and signals
// fundsUsedUp once. The idle timeout is a timer re-armed from last_heartbeat_at, read only when the
// timer fires (one activity per idle period, not per heartbeat). Settlement stops the metering,
// reads the frozen totals, captures exactly the cost (or cancels when it is zero), posts the ledger,
// marks the row and emails both sides; every step is idempotent (keys, conditional writes), so a
// worker killed mid-settlement replays to one capture and one set of ledger transactions. The
// decisions (when an active session ends, what a settlement posts) are src/domain/paid-sessions/settlement.ts.
//
// Where things are: the state, handlers, loop and settlement (the PaidSession class, session.ts), the
// settlement emails (emails.ts).

export async function paidSessionWorkflow(
  input: PaidSessionWorkflowInput,
): Promise<PaidSessionWorkflowResult> {
  const session = new PaidSession(input);
  session.announce(); // before the handlers, as recorded: an update-with-start is accepted after it
  setHandler(paidSessionPaymentSignal, (e) => session.receivePayment(e));
  setHandler(fundsUsedUpSignal, () => session.noteFundsUsedUp());
  setHandler(paidSessionStateQuery, () => session.state());
  setHandler(paidSessionReadyUpdate, () => session.ready());
  setHandler(startPaidSessionUpdate, () => session.start(), { validator: () => session.validateStart() });
  setHandler(completePaidSessionUpdate, () => session.complete());
  return session.run();
}

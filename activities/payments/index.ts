import type { Deps } from '../../src/infra/deps';
import { ledgerActivities } from './ledger';

/**
 * The payments core's own activities (the ledger's one write path). Its Stripe calls are not
 * activities of their own: each feature's Stripe step calls paymentsCore (./stripe.ts) after
 * reading and before recording its row, so the step stays one idempotent unit.
 */
export function paymentActivities(deps: Pick<Deps, 'db'>) {
  return ledgerActivities(deps);
}

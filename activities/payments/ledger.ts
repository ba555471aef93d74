import { ApplicationFailure } from '@temporalio/activity';
import { LedgerFailure, type LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import { LedgerPostingError, postLedgerDrafts } from '../../src/data/ledger';
import type { Deps } from '../../src/infra/deps';

// The ledger's one write path for workflows. Idempotent by each draft's key, so a retried or
// replayed activity posts nothing twice; a draft that cannot be posted fails for good (retrying an
// unbalanced transaction cannot make it balance).

export function ledgerActivities(deps: Pick<Deps, 'db'>) {
  const { db } = deps;
  return {
    /** Posts every draft in one database transaction, each at most once by key. */
    async postLedgerTransactions(drafts: LedgerTransactionDraft[]): Promise<void> {
      try {
        await postLedgerDrafts(db, drafts);
      } catch (err) {
        if (err instanceof LedgerPostingError) {
          throw ApplicationFailure.nonRetryable(
            err.message,
            err.reason === 'key_conflict' ? LedgerFailure.KeyConflict : LedgerFailure.Rejected,
          );
        }
        throw err;
      }
    },
  };
}

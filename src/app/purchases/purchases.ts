import { conflict, invalid, notFound, type DomainError } from '../../domain/shared/errors';
import type { ApplicationFailure } from '@temporalio/common';
import { creditsOf } from '../../data/credits';
import {
  listPurchases,
  purchaseDetails,
  purchaseVisibleTo,
  type PurchaseDetails,
} from '../../data/purchases';
import type { Deps } from '../../infra/deps';
import { PurchaseFailure, type RefundOutcome } from '../../../workflows/purchases/definitions';
import { temporalFailure } from '../temporal-failures';
import { refundThroughWorkflow } from './workflow';

// Reading purchases and credits, and refunding a purchase. A refund is an update on purchase-<id>:
// the workflow refunds at Stripe, revokes the unused credits and says what was kept; the database
// answers the obvious refusals first.

export type { PurchaseDetails };
/** A package credit with its service's and package's titles, as the API shows it. */
export type Credit = Awaited<ReturnType<typeof creditsOf>>[number];

const UPDATE_WAIT_MS = 30_000;

function refusal(f: ApplicationFailure): DomainError {
  const details = Array.isArray(f.details?.[0])
    ? (f.details[0] as { field: string; reason: string }[])
    : undefined;
  if (f.type === PurchaseFailure.InvalidRequest) return invalid(f.message, details);
  if (f.message.includes('already been refunded')) return conflict(f.message, 'already_refunded');
  return conflict(f.message, 'invalid_transition');
}

export async function purchaseFor(
  deps: Pick<Deps, 'db'>,
  userId: string,
  id: string,
): Promise<PurchaseDetails> {
  const p = await purchaseVisibleTo(deps.db, userId, id);
  if (!p) throw notFound('Purchase');
  return p;
}

/** The buyer's purchases or the coach's sales, newest first. */
export const listPurchasesOf = (
  deps: Pick<Deps, 'db'>,
  owner: { buyerId: string } | { coachId: string },
  page: { limit: number; offset: number; status?: PurchaseDetails['status'] },
): Promise<{ items: PurchaseDetails[]; total: number }> => listPurchases(deps.db, owner, page);

/** The user's package credits, newest first. */
export const creditsFor = (deps: Pick<Deps, 'db'>, userId: string): Promise<Credit[]> =>
  creditsOf(deps.db, userId);

/** The coach refunds one of their sales (all of what is unused by default, or `amountMinor`). */
export async function refundAsCoach(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  coachId: string,
  purchaseId: string,
  amountMinor: number | undefined,
): Promise<{ purchase: PurchaseDetails; refund: RefundOutcome }> {
  const row = await deps.db.purchase.findFirst({ where: { id: purchaseId, coachId } });
  if (!row) throw notFound('Purchase');
  if (row.status === 'REFUNDED')
    throw conflict('This purchase has already been refunded', 'already_refunded');
  if (row.status !== 'PAID')
    throw conflict(`A ${row.status.toLowerCase()} purchase cannot be refunded`, 'invalid_transition');
  if (amountMinor !== undefined && amountMinor > row.amountMinor - row.refundedMinor)
    throw invalid(`amountMinor is more than what was paid (${row.amountMinor})`, [
      { field: 'amountMinor', reason: `must be at most ${row.amountMinor - row.refundedMinor}` },
    ]);
  let refund: RefundOutcome;
  try {
    refund = await deps.temporal.withDeadline(Date.now() + UPDATE_WAIT_MS, () =>
      refundThroughWorkflow(deps, row, {
        actorId: coachId,
        ...(amountMinor !== undefined ? { amountMinor } : {}),
      }),
    );
  } catch (err) {
    throw await temporalFailure(err, {
      what: 'The purchase could not be refunded',
      refused: refusal,
      closed: () => conflict('This purchase can no longer be refunded', 'invalid_transition'),
    });
  }
  return { purchase: await purchaseDetails(deps.db, purchaseId), refund };
}

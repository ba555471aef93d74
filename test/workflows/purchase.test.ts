import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import {
  purchasePaymentSignal,
  purchaseReadyUpdate,
  purchaseRefundedSignal,
  purchaseStateQuery,
  purchaseWorkflowType,
  refundPurchaseUpdate,
  type PurchasePaymentSignal,
  type PurchaseSnapshot,
  type PurchaseWorkflow,
} from '../../workflows/purchases/definitions';
import {
  eventually,
  recorded,
  startWorkflowTestEnv,
  type ActivityCall,
  type WorkflowTestEnv,
  type DefaultStubs,
} from '../support/temporal-env';

// purchase-<id> against stub activities: an in-memory purchase row stands in for Postgres; Stripe,
// the ledger, analytics and SMTP are call logs. Checks what only the workflow decides: which payment
// events count, that duplicates change nothing, and that a refund is settled once whichever way it
// arrives.

interface Row extends PurchaseSnapshot {
  credits: { total: number; remaining: number; revoked: number };
  refundId: string | null;
}
const rows = new Map<string, Row>();
const calls: ActivityCall[] = [];
const rowOf = (id: string) => rows.get(id)!;

const stubs = {
  async loadPurchaseSnapshot(id: string): Promise<PurchaseSnapshot> {
    const { credits: _c, refundId: _r, ...snapshot } = structuredClone(rowOf(id));
    return snapshot;
  },
  async createPurchasePaymentIntent(id: string) {
    const row = rowOf(id);
    row.paymentIntentId ??= `pi_${id}`;
    return { paymentIntentId: row.paymentIntentId };
  },
  async cancelPurchasePaymentIntent(_id: string) {
    return { canceled: true };
  },
  async completePurchase(input: { purchaseId: string }) {
    const row = rowOf(input.purchaseId);
    if (row.status === 'PENDING') {
      row.status = 'PAID';
      row.credits = { total: 4, remaining: 4, revoked: 0 };
    }
    return { status: row.status, credits: [], products: [], courses: [] };
  },
  async expirePurchase(id: string) {
    const row = rowOf(id);
    if (row.status === 'PENDING') row.status = 'EXPIRED';
    return { status: row.status };
  },
  async planPurchaseRefund(id: string) {
    const row = rowOf(id);
    const usable = row.credits.remaining;
    return {
      status: row.status,
      defaultAmountMinor: Math.floor((row.amountMinor * usable) / row.credits.total),
      revokedCredits: usable,
      keptCredits: row.credits.total - usable,
      note: '',
    };
  },
  async refundPurchasePayment(input: { purchaseId: string }) {
    const row = rowOf(input.purchaseId);
    row.refundId ??= `re_${input.purchaseId}`;
    return { refundId: row.refundId };
  },
  async refundLatePurchasePayment(input: { purchaseId: string; amountMinor: number }) {
    return { refundId: `re_${input.purchaseId}`, refundedMinor: input.amountMinor, recorded: true };
  },
  async settlePurchaseRefund(input: { purchaseId: string; refundedMinor: number }) {
    const row = rowOf(input.purchaseId);
    const kept = row.credits.total - row.credits.remaining - row.credits.revoked;
    if (row.status === 'PAID') {
      row.status = 'REFUNDED';
      row.refundedMinor = input.refundedMinor;
      row.credits.revoked = row.credits.remaining;
      row.credits.remaining = 0;
    }
    return {
      status: row.status,
      refundedMinor: row.refundedMinor,
      revokedCredits: row.credits.revoked,
      keptCredits: kept,
      note: 'settled',
      revokedCourses: [],
    };
  },
  async postLedgerTransactions(_drafts: LedgerTransactionDraft[]) {},
  async recordAnalyticsEvents(events: unknown[]) {
    return { recorded: events.length };
  },
  async sendEmail(_input: unknown) {
    return { sent: true, messageId: '<stub@coachflow>' };
  },
} satisfies DefaultStubs;

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(stubs, calls) });
});
afterAll(async () => {
  await t?.close();
});

function newPurchase(): Row {
  const row: Row = {
    id: randomUUID(),
    status: 'PENDING',
    buyer: { id: 'buyer-1', name: 'Bea Buyer', email: 'bea@example.test' },
    coach: { id: 'coach-1', name: 'Carla Coach', email: 'carla@example.test' },
    productId: 'product-1',
    title: 'Four sessions',
    amountMinor: 10_000,
    currency: 'GBP',
    paymentIntentId: null,
    createdAtMs: Date.now(),
    refundedMinor: 0,
    credits: { total: 0, remaining: 0, revoked: 0 },
    refundId: null,
  };
  rows.set(row.id, row);
  return row;
}

async function start(row: Row, checkoutTimeoutMs = 60_000) {
  const h = await t.env.client.workflow.start<PurchaseWorkflow>(purchaseWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `purchase-${row.id}`,
    args: [{ purchaseId: row.id, checkoutTimeoutMs, feeBps: 1000, snapshot: { ...row } }],
  });
  t.track(h);
  await h.executeUpdate(purchaseReadyUpdate);
  return h;
}

/**
 * The refund as the API sends it: update-with-start, so a purchase whose run has finished gets a new
 * run that loads the row (src/app/purchases/workflow.ts).
 */
function refund(row: Row, amountMinor?: number) {
  const startWorkflowOperation = new WithStartWorkflowOperation<PurchaseWorkflow>(purchaseWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `purchase-${row.id}`,
    args: [{ purchaseId: row.id, checkoutTimeoutMs: 60_000, feeBps: 1000 }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return t.env.client.workflow.executeUpdateWithStart(refundPurchaseUpdate, {
    args: [{ actorId: 'coach-1', ...(amountMinor !== undefined ? { amountMinor } : {}) }],
    startWorkflowOperation,
  });
}

const paid = (row: Row, over: Partial<PurchasePaymentSignal> = {}): PurchasePaymentSignal => ({
  eventId: `evt_${randomUUID()}`,
  kind: 'succeeded',
  paymentIntentId: `pi_${row.id}`,
  amountMinor: row.amountMinor,
  currency: 'gbp',
  ...over,
});

const callsOf = (name: string, id: string) =>
  calls.filter((c) => c.name === name && JSON.stringify(c.args).includes(id));

describe('purchase-<id>', () => {
  it('counts only a success for its own intent with its amount and currency; a redelivered event changes nothing', async () => {
    const row = newPurchase();
    const h = await start(row);
    await h.signal(purchasePaymentSignal, paid(row, { currency: 'eur' }));
    await h.signal(purchasePaymentSignal, paid(row, { paymentIntentId: 'pi_other' }));
    await h.signal(purchasePaymentSignal, paid(row, { amountMinor: 9_999 }));
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.query(purchaseStateQuery)).status).toBe('PENDING');
    const good = paid(row);
    await h.signal(purchasePaymentSignal, good);
    await h.signal(purchasePaymentSignal, good);
    await h.signal(purchasePaymentSignal, paid(row)); // a second success for the same intent
    expect(await h.result()).toEqual({ status: 'PAID' });
    const ledger = callsOf('postLedgerTransactions', row.id).flatMap(
      (c) => c.args[0] as LedgerTransactionDraft[],
    );
    expect(ledger.map((d) => d.key)).toEqual([`purchase:purchase:${row.id}`]);
    expect(ledger[0]).toMatchObject({ amountMinor: 10_000, currency: 'gbp' });
    expect(
      callsOf('sendEmail', row.id)
        .map((c) => (c.args[0] as { template: string }).template)
        .sort(),
    ).toEqual(['purchase_confirmed', 'purchase_sold']);
  });

  it('a refund of an unpaid checkout is refused before it is accepted; unpaid, the checkout expires and cancels its intent', async () => {
    const row = newPurchase();
    const h = await start(row, 1_500);
    const refused = await h
      .executeUpdate(refundPurchaseUpdate, { args: [{ actorId: 'coach-1' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(
      /pending purchase cannot be refunded/,
    );
    expect(await h.result()).toEqual({ status: 'EXPIRED' });
    expect(callsOf('cancelPurchasePaymentIntent', row.id)).toHaveLength(1);
  });

  it("the coach's refund and Stripe's charge.refunded echo settle once: one Stripe refund, one ledger refund", async () => {
    const row = newPurchase();
    const h = await start(row);
    await h.signal(purchasePaymentSignal, paid(row));
    await eventually(
      () => h.query(purchaseStateQuery),
      (s) => s.settled,
    );
    // Two credits used before the refund.
    row.credits.remaining = 2;
    const outcome = await refund(row);
    expect(outcome).toMatchObject({
      status: 'REFUNDED',
      refundedMinor: 5_000,
      revokedCredits: 2,
      keptCredits: 2,
    });
    await t.env.client.workflow.getHandle(`purchase-${row.id}`).signal(purchaseRefundedSignal, {
      eventId: `evt_${randomUUID()}`,
      paymentIntentId: `pi_${row.id}`,
      amountRefundedMinor: 5_000,
      currency: 'gbp',
      refundId: `re_${row.id}`,
    });
    const again = await refund(row).catch((e: unknown) => e);
    expect((again as WorkflowUpdateFailedError).cause?.message).toMatch(/already been refunded/);
    await eventually(
      async () =>
        callsOf('sendEmail', row.id).filter((c) => JSON.stringify(c.args).includes('purchase_refunded')),
      (c) => c.length === 1,
    );
    const ledger = callsOf('postLedgerTransactions', row.id).flatMap(
      (c) => c.args[0] as LedgerTransactionDraft[],
    );
    // A later run repeats the sale's keyed steps (the ledger takes each key once); one refund draft.
    expect([...new Set(ledger.map((d) => d.key))]).toEqual([
      `purchase:purchase:${row.id}`,
      `purchase_refund:purchase:${row.id}:re_${row.id}`,
    ]);
    expect(ledger.filter((d) => d.kind === 'purchase_refund')).toHaveLength(1);
    expect(ledger.find((d) => d.kind === 'purchase_refund')).toMatchObject({ amountMinor: 5_000 });
    expect(callsOf('refundPurchasePayment', row.id)).toHaveLength(1);
    expect(callsOf('settlePurchaseRefund', row.id).length).toBeGreaterThanOrEqual(1);
    expect(row.credits).toEqual({ total: 4, remaining: 0, revoked: 2 });
  });

  it('a refund for more than was paid is refused naming amountMinor', async () => {
    const row = newPurchase();
    const h = await start(row);
    await h.signal(purchasePaymentSignal, paid(row));
    await eventually(
      () => h.query(purchaseStateQuery),
      (s) => s.settled,
    );
    const refused = await refund(row, 10_001).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/more than what is left to refund/);
    expect(callsOf('refundPurchasePayment', row.id)).toHaveLength(0);
  });
});

import { WorkflowUpdateFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlement } from '../../src/domain/paid-sessions/metering';
import type { LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import {
  completePaidSessionUpdate,
  fundsUsedUpSignal,
  paidSessionPaymentSignal,
  paidSessionReadyUpdate,
  paidSessionWorkflowType,
  startPaidSessionUpdate,
  type PaidSessionWorkflow,
  type PaidSessionWorkflowInput,
} from '../../workflows/paid-sessions/definitions';
import {
  recorded,
  startWorkflowTestEnv,
  type ActivityCall,
  type WorkflowTestEnv,
  type DefaultStubs,
} from '../support/temporal-env';

// paid-session-<id> against stub activities standing in for Postgres and Stripe: a fake row per
// session holds what the heartbeat statement would have written (duration, last heartbeat, cap).

interface FakeRow {
  durationSeconds: number;
  lastHeartbeatAtMs: number | null;
  fundsUsedUp: boolean;
  started: boolean;
}
const rows = new Map<string, FakeRow>();
const calls: ActivityCall[] = [];
const PRICE = 100; // minor units per minute
const LOCK = 1000;

const sid = (a: unknown[]) => {
  const x = a[0] as string | { sessionId: string };
  return typeof x === 'string' ? x : x.sessionId;
};
const row = (id: string) => rows.get(id)!;

const stubs = {
  async createPaidSessionPaymentIntent(id: string) {
    return { paymentIntentId: `pi_${id}` };
  },
  async recordPaidSessionAuthorised() {},
  async postLedgerTransactions() {},
  async startPaidSessionRow(id: string) {
    row(id).started = true;
    row(id).lastHeartbeatAtMs = Date.now();
    return { startedAt: new Date().toISOString() };
  },
  async paidSessionActivity(id: string) {
    return { lastHeartbeatAtMs: row(id).lastHeartbeatAtMs, fundsUsedUp: row(id).fundsUsedUp };
  },
  async closePaidSession({ sessionId }: { sessionId: string }) {
    const r = row(sessionId);
    const s = settlement(
      { durationSeconds: r.durationSeconds, observedMs: 0 },
      { pricePerMinuteMinor: PRICE, lockedMinor: LOCK },
    );
    const final = r.started ? s : { ...s, captureMinor: 0, releaseMinor: LOCK, cancel: true };
    return {
      ...final,
      started: r.started,
      durationSeconds: r.durationSeconds,
      student: { name: 'Sam', email: 'sam@example.test' },
      coach: { name: 'Coach', email: 'coach@example.test' },
      courseTitle: 'Course',
      lectures: [{ position: 1, title: 'Intro', seconds: r.durationSeconds }],
    };
  },
  async capturePaidSession({ amountMinor }: { amountMinor: number }) {
    return { capturedMinor: amountMinor };
  },
  async cancelPaidSessionPaymentIntent() {
    return { canceled: true };
  },
  async finishPaidSession() {},
  async sendEmail() {
    return { sent: true, messageId: 'x' };
  },
  async recordPaidSessionRefund() {},
  async recordPaidSessionDispute() {},
  async recordAnalyticsEvents(events: { id: string }[]) {
    // A session listed here fails its first attempt, as a Postgres blip would.
    if (failAnalyticsOnce.delete(events[0]!.id)) throw new Error('analytics insert failed (test)');
    return { recorded: events.length };
  },
} satisfies DefaultStubs;
const failAnalyticsOnce = new Set<string>();

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(stubs, calls) });
});
afterAll(async () => {
  await t?.close();
});

const of = (id: string, name: string) => calls.filter((c) => c.name === name && sid(c.args) === id);

async function startSession(over: Partial<PaidSessionWorkflowInput> = {}) {
  const sessionId = randomUUID();
  rows.set(sessionId, { durationSeconds: 0, lastHeartbeatAtMs: null, fundsUsedUp: false, started: false });
  const h = await t.env.client.workflow.start<PaidSessionWorkflow>(paidSessionWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `paid-session-${sessionId}`,
    args: [
      {
        sessionId,
        studentId: 'student-1',
        coachId: 'coach-1',
        courseId: 'course-1',
        lockedMinor: LOCK,
        currency: 'gbp',
        pricePerMinuteMinor: PRICE,
        lockedAtMs: Date.now(),
        feeBps: 1000,
        idleTimeoutMs: 60_000,
        authWindowMs: 7 * 24 * 3600 * 1000,
        ...over,
      },
    ],
  });
  t.track(h);
  const ready = await h.executeUpdate(paidSessionReadyUpdate);
  expect(ready.paymentIntentId).toBe(`pi_${sessionId}`);
  return { sessionId, h };
}

async function authoriseAndStart(sessionId: string, h: Awaited<ReturnType<typeof startSession>>['h']) {
  await h.signal(paidSessionPaymentSignal, {
    eventId: `evt_auth_${sessionId}`,
    kind: 'authorised',
    paymentIntentId: `pi_${sessionId}`,
    amountMinor: LOCK,
    currency: 'gbp',
  });
  // The start update is refused until the authorisation is applied: retry briefly.
  for (let i = 0; ; i++) {
    try {
      return await h.executeUpdate(startPaidSessionUpdate);
    } catch (err) {
      if (i > 40 || !(err instanceof WorkflowUpdateFailedError)) throw err;
      await sleep(50);
    }
  }
}

const draftsOf = (id: string) =>
  calls
    .filter((c) => c.name === 'postLedgerTransactions')
    .flatMap((c) => c.args[0] as LedgerTransactionDraft[])
    .filter((d) => d.reference === `paid-session:${id}`);
const ledgerKinds = (id: string) => draftsOf(id).map((d) => d.kind);
/** The analytics events recorded for a session, one entry per activity attempt. */
const analyticsOf = (id: string) =>
  calls
    .filter((c) => c.name === 'recordAnalyticsEvents')
    .map((c) => c.args[0] as { id: string }[])
    .filter((events) => events.some((e) => e.id === id));
/** The reason an update was refused (the client wraps it in WorkflowUpdateFailedError). */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (err: Error) => (err instanceof WorkflowUpdateFailedError ? String(err.cause?.message) : err.message),
  );

describe.concurrent('paid-session workflow (stub activities)', () => {
  it('explicit complete: captures exactly the cost once, releases the rest, posts a balanced ledger, emails both', async () => {
    const { sessionId, h } = await startSession();
    await authoriseAndStart(sessionId, h);
    row(sessionId).durationSeconds = 125; // floor(125 × 100 / 60) = 208
    const done = await h.executeUpdate(completePaidSessionUpdate);
    expect(done).toEqual({
      status: 'completed',
      endReason: 'completed',
      capturedMinor: 208,
      releasedMinor: 792,
    });
    expect(of(sessionId, 'capturePaidSession').map((c) => c.args[0])).toEqual([
      { sessionId, amountMinor: 208 },
    ]);
    expect(of(sessionId, 'cancelPaidSessionPaymentIntent')).toEqual([]);
    const drafts = draftsOf(sessionId);
    expect(new Set(drafts.map((d) => d.kind))).toEqual(new Set(['authorisation', 'capture', 'release']));
    for (const d of drafts) expect(d.lines.reduce((a, l) => a + l.amountMinor, 0)).toBe(0);
    expect(await h.result()).toEqual(done);
    // The receipt and the coach's notice follow the settlement the update answered with.
    expect(
      calls.filter((c) => c.name === 'sendEmail' && JSON.stringify(c.args).includes(sessionId)),
    ).toHaveLength(2);
  });

  it('the start is refused before the card authorises the lock', async () => {
    const { h } = await startSession();
    expect(await refusal(h.executeUpdate(startPaidSessionUpdate))).toMatch(/not authorised/);
  });

  it('idle timeout: no heartbeat for the idle time settles by itself', async () => {
    const { sessionId, h } = await startSession({ idleTimeoutMs: 1500 });
    await authoriseAndStart(sessionId, h);
    row(sessionId).durationSeconds = 60;
    const r = await h.result();
    expect(r).toEqual({ status: 'completed', endReason: 'idle', capturedMinor: 100, releasedMinor: 900 });
    expect(of(sessionId, 'capturePaidSession')).toHaveLength(1);
  });

  it('heartbeats keep it open past the idle time; the timer is re-armed from the last one', async () => {
    const { sessionId, h } = await startSession({ idleTimeoutMs: 1500 });
    await authoriseAndStart(sessionId, h);
    const until = Date.now() + 3500;
    while (Date.now() < until) {
      row(sessionId).lastHeartbeatAtMs = Date.now();
      await sleep(200);
    }
    expect((await h.describe()).status.name).toBe('RUNNING');
    const r = await h.result();
    expect(r.endReason).toBe('idle');
  });

  it('funds used up: the one signal ends the session and captures the whole lock', async () => {
    const { sessionId, h } = await startSession();
    await authoriseAndStart(sessionId, h);
    row(sessionId).durationSeconds = 600;
    await h.signal(fundsUsedUpSignal);
    const r = await h.result();
    expect(r).toEqual({
      status: 'completed',
      endReason: 'funds_used_up',
      capturedMinor: LOCK,
      releasedMinor: 0,
    });
    expect(ledgerKinds(sessionId)).not.toContain('release');
  });

  it('authorization window: settles before it lapses even while heartbeats continue', async () => {
    const { sessionId, h } = await startSession({ authWindowMs: 3000, idleTimeoutMs: 60_000 });
    await authoriseAndStart(sessionId, h);
    row(sessionId).durationSeconds = 2;
    const stop = Date.now() + 10_000;
    const beating = (async () => {
      while (Date.now() < stop && (await h.describe()).status.name === 'RUNNING') {
        row(sessionId).lastHeartbeatAtMs = Date.now();
        await sleep(200);
      }
    })();
    const r = await h.result();
    await beating;
    expect(r.endReason).toBe('auth_window');
    expect(r.capturedMinor).toBe(3);
  });

  it('zero cost cancels the PaymentIntent instead of capturing', async () => {
    const { sessionId, h } = await startSession();
    await authoriseAndStart(sessionId, h);
    const r = await h.executeUpdate(completePaidSessionUpdate);
    expect(r).toEqual({ status: 'cancelled', endReason: 'completed', capturedMinor: 0, releasedMinor: LOCK });
    expect(of(sessionId, 'cancelPaidSessionPaymentIntent')).toHaveLength(1);
    expect(of(sessionId, 'capturePaidSession')).toEqual([]);
    expect(ledgerKinds(sessionId).sort()).toEqual(['authorisation', 'authorisation', 'release']);
    await h.result();
    // Nothing captured, no revenue.
    expect(analyticsOf(sessionId)).toEqual([]);
  });

  it('a capture records paid_session_revenue once, keyed by the session (a retried attempt sends the same key)', async () => {
    const { sessionId, h } = await startSession();
    failAnalyticsOnce.add(sessionId);
    await authoriseAndStart(sessionId, h);
    row(sessionId).durationSeconds = 125; // 208 captured
    await h.executeUpdate(completePaidSessionUpdate);
    await h.result();
    const attempts = analyticsOf(sessionId);
    // The first attempt failed and was retried with the very same event: one business fact, one key.
    expect(attempts).toHaveLength(2);
    expect(attempts[1]).toEqual(attempts[0]);
    expect(attempts[0]).toEqual([
      {
        type: 'paid_session_revenue',
        id: sessionId,
        coachId: 'coach-1',
        userId: 'student-1',
        occurredAt: expect.any(String),
        amountMinor: 208,
        currency: 'gbp',
      },
    ]);
  });

  it('never started: complete cancels, nothing captured, no receipt', async () => {
    const { sessionId, h } = await startSession();
    const r = await h.executeUpdate(completePaidSessionUpdate);
    expect(r.status).toBe('cancelled');
    expect(of(sessionId, 'cancelPaidSessionPaymentIntent')).toHaveLength(1);
    expect(calls.filter((c) => c.name === 'sendEmail' && JSON.stringify(c.args).includes(sessionId))).toEqual(
      [],
    );
  });

  it('Stripe cancels the PaymentIntent before the start: cancelled without a second cancel or a capture', async () => {
    const { sessionId, h } = await startSession();
    await h.signal(paidSessionPaymentSignal, {
      eventId: `evt_c_${sessionId}`,
      kind: 'canceled',
      paymentIntentId: `pi_${sessionId}`,
      amountMinor: LOCK,
      currency: 'gbp',
    });
    const r = await h.result();
    expect(r).toEqual({
      status: 'cancelled',
      endReason: 'stripe_canceled',
      capturedMinor: 0,
      releasedMinor: LOCK,
    });
    expect(of(sessionId, 'cancelPaidSessionPaymentIntent')).toEqual([]);
    expect(of(sessionId, 'capturePaidSession')).toEqual([]);
    expect(ledgerKinds(sessionId)).toEqual([]);
  });

  it('Stripe cancels the hold during an active session: nothing is captured, the lock is released', async () => {
    const { sessionId, h } = await startSession();
    await authoriseAndStart(sessionId, h);
    row(sessionId).durationSeconds = 120;
    await h.signal(paidSessionPaymentSignal, {
      eventId: `evt_c2_${sessionId}`,
      kind: 'canceled',
      paymentIntentId: `pi_${sessionId}`,
      amountMinor: LOCK,
      currency: 'gbp',
    });
    const r = await h.result();
    expect(r).toEqual({
      status: 'cancelled',
      endReason: 'stripe_canceled',
      capturedMinor: 0,
      releasedMinor: LOCK,
    });
    expect(of(sessionId, 'capturePaidSession')).toEqual([]);
    expect(of(sessionId, 'cancelPaidSessionPaymentIntent')).toEqual([]);
    expect(ledgerKinds(sessionId).filter((k) => k !== 'authorisation')).toEqual(['release']);
  });

  it('an authorisation in another currency or for another PaymentIntent does not count', async () => {
    const { sessionId, h } = await startSession();
    await h.signal(paidSessionPaymentSignal, {
      eventId: `evt_x_${sessionId}`,
      kind: 'authorised',
      paymentIntentId: `pi_${sessionId}`,
      amountMinor: LOCK,
      currency: 'usd',
    });
    await h.signal(paidSessionPaymentSignal, {
      eventId: `evt_y_${sessionId}`,
      kind: 'authorised',
      paymentIntentId: 'pi_other',
      amountMinor: LOCK,
      currency: 'gbp',
    });
    await sleep(300);
    expect(await refusal(h.executeUpdate(startPaidSessionUpdate))).toMatch(/not authorised/);
    expect(of(sessionId, 'recordPaidSessionAuthorised')).toEqual([]);
  });
});

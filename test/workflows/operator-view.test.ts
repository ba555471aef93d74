import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clipStateQuery,
  clipWorkflowType,
  type ClipWorkflow,
  type ClipWorkflowInput,
} from '../../workflows/clips/definitions';
import {
  payoutAccountStateQuery,
  payoutAccountWorkflowType,
  accountUpdatedSignal,
  payoutStateQuery,
  payoutWorkflowType,
  type AccountUpdatedSignal,
  type PayoutAccountWorkflow,
  type PayoutWorkflow,
} from '../../workflows/payouts/definitions';
import {
  paidSessionStateQuery,
  paidSessionWorkflowType,
  type PaidSessionWorkflow,
} from '../../workflows/paid-sessions/definitions';
import {
  purchaseStateQuery,
  purchaseWorkflowType,
  type PurchaseWorkflow,
} from '../../workflows/purchases/definitions';
import { MEMO_PATCH } from '../../workflows/shared/memo';
import {
  videoStateQuery,
  videoWorkflowType,
  type VideoWorkflow,
  type VideoWorkflowInput,
} from '../../workflows/videos/definitions';
import { eventually, startWorkflowTestEnv, type WorkflowTestEnv } from '../support/temporal-env';

// Issue 14 item 7: what an operator sees of a run without reading code — the memo's summary and ids
// (set at the start of every run, behind patched('memo-summary')) and the 'state' query — for the
// families whose workflows gained them here. Booking's is checked through the real UI in
// test/e2e/browser-temporal-ui.test.ts.

let t: WorkflowTestEnv;

beforeAll(async () => {
  t = await startWorkflowTestEnv({
    defaultActivities: {
      // The clip's video went away before the cut: the run ends GONE without the media queue.
      startClipRun: async () => null,
      finishClip: async () => 'ready',
      failClip: async () => undefined,
      deleteClipData: async () => undefined,
      // Nothing available to pay: the run ends SKIPPED after preparing.
      preparePayouts: async () => [],
      markPayoutPaid: async () => undefined,
      failPayout: async () => ({
        coach: { email: 'c@example.test', name: 'C' },
        failed: false,
        settingsUrl: '',
      }),
      postLedgerTransactions: async () => undefined,
      applyAccountUpdate: async () => true,
      syncPayoutSchedule: async () => 'active',
      sendEmail: async () => ({ sent: true, messageId: '<stub@coachflow>' }),
      transferPayout: async () => ({ transferId: 'tr_1' }),
      // A paid session waiting for its card's authorisation, a checkout waiting for its payment.
      createPaidSessionPaymentIntent: async (id: string) => ({ paymentIntentId: `pi_${id}` }),
      createPurchasePaymentIntent: async (id: string) => ({ paymentIntentId: `pi_${id}` }),
      recordAnalyticsEvents: async (events) => ({ recorded: events.length }),
    },
  });
});

afterAll(async () => {
  await t?.close();
});

const memoOf = async (workflowId: string) => {
  const d = await t.env.client.workflow.getHandle(workflowId).describe();
  return { memo: d.memo ?? {}, patches: d.searchAttributes.TemporalChangeVersion ?? [] };
};

describe('memo and state query for operators', () => {
  it('video-<id> waiting for its upload: the memo says so, the state query gives status and stage', async () => {
    const videoId = randomUUID();
    const input: VideoWorkflowInput = {
      videoId,
      coachId: 'coach-ops',
      mode: 'upload',
      uploadTimeoutMs: 60_000,
      mediaTaskQueue: t.mediaTaskQueue,
    };
    const handle = t.track(
      await t.env.client.workflow.start<VideoWorkflow>(videoWorkflowType, {
        taskQueue: t.taskQueue,
        workflowId: `video-${videoId}`,
        args: [input],
      }),
    );
    const state = await handle.query(videoStateQuery);
    expect(state).toMatchObject({
      videoId,
      coachId: 'coach-ops',
      mode: 'upload',
      status: 'AWAITING_UPLOAD',
      stage: 'awaiting_upload',
      uploaded: false,
      deleteRequested: false,
    });
    const { memo } = await memoOf(handle.workflowId);
    expect(memo).toEqual({
      summary: `Video ${videoId} of coach coach-ops: waiting for the upload, then validate, transcode, analyse`,
      videoId,
      coachId: 'coach-ops',
      mode: 'upload',
    });
  });

  it('clip-<id>: memo at start, and the state query still answers after the run ended', async () => {
    const clipId = randomUUID();
    const input: ClipWorkflowInput = {
      clipId,
      videoId: 'video-ops',
      coachId: 'coach-ops',
      mode: 'create',
      mediaTaskQueue: t.mediaTaskQueue,
    };
    const handle = await t.env.client.workflow.start<ClipWorkflow>(clipWorkflowType, {
      taskQueue: t.taskQueue,
      workflowId: `clip-${clipId}`,
      args: [input],
    });
    expect(await handle.result()).toBe('gone');
    expect(await handle.query(clipStateQuery)).toEqual({
      clipId,
      videoId: 'video-ops',
      status: 'GONE',
      deleteRequested: false,
    });
    const { memo } = await memoOf(handle.workflowId);
    expect(memo.summary).toBe(
      `Clip ${clipId} of video video-ops (coach coach-ops): trimming it on the media queue`,
    );
    expect(memo).toMatchObject({ clipId, videoId: 'video-ops', coachId: 'coach-ops', mode: 'create' });
  });

  it('payout-<coach>-<period> and payout-account-<coach>: memo and state', async () => {
    const coachId = randomUUID();
    const payout = await t.env.client.workflow.start<PayoutWorkflow>(payoutWorkflowType, {
      taskQueue: t.taskQueue,
      workflowId: `payout-${coachId}-2026-11-30`,
      args: [{ coachId, period: '2026-11-30' }],
    });
    expect((await payout.result()).status).toBe('skipped');
    expect(await payout.query(payoutStateQuery)).toMatchObject({ coachId, phase: 'done', payouts: [] });
    expect((await memoOf(payout.workflowId)).memo).toEqual({
      summary: `Payout of coach ${coachId} for 2026-11-30: one transfer per currency of the available balance`,
      coachId,
      period: '2026-11-30',
    });

    const account = await t.env.client.workflow.signalWithStart<
      PayoutAccountWorkflow,
      [AccountUpdatedSignal]
    >(payoutAccountWorkflowType, {
      taskQueue: t.taskQueue,
      workflowId: `payout-account-${coachId}`,
      args: [{ coachId }],
      signal: accountUpdatedSignal,
      signalArgs: [
        {
          eventId: 'evt_ops_1',
          stripeAccountId: 'acct_ops',
          eventAtMs: Date.now(),
          readiness: {
            chargesEnabled: true,
            payoutsEnabled: true,
            detailsSubmitted: true,
            requirementsDue: [],
            disabledReason: null,
          },
        },
      ],
    });
    expect(await account.result()).toEqual({ applied: 1, schedule: 'active' });
    expect(await account.query(payoutAccountStateQuery)).toEqual({
      coachId,
      applied: 1,
      waiting: 0,
      schedule: 'active',
    });
    expect((await memoOf(account.workflowId)).memo.summary).toBe(
      `Stripe account updates of coach ${coachId}, applied in order; keeps the payout Schedule in step`,
    );
  });

  it('paid-session-<id> and purchase-<id>: the memo names price, amount and parties', async () => {
    const sessionId = randomUUID();
    const session = t.track(
      await t.env.client.workflow.start<PaidSessionWorkflow>(paidSessionWorkflowType, {
        taskQueue: t.taskQueue,
        workflowId: `paid-session-${sessionId}`,
        args: [
          {
            sessionId,
            studentId: 'student-ops',
            coachId: 'coach-ops',
            courseId: 'course-ops',
            lockedMinor: 6000,
            currency: 'gbp',
            pricePerMinuteMinor: 50,
            lockedAtMs: Date.now(),
            feeBps: 1000,
            idleTimeoutMs: 60_000,
            authWindowMs: 7 * 24 * 3600 * 1000,
          },
        ],
      }),
    );
    expect(await session.query(paidSessionStateQuery)).toMatchObject({ sessionId, status: 'locked' });
    expect((await memoOf(session.workflowId)).memo).toEqual({
      summary:
        `Paid session ${sessionId}: 50 GBP minor units per minute, 6000 GBP minor units locked; ` +
        'student student-ops, coach coach-ops, course course-ops',
      sessionId,
      studentId: 'student-ops',
      coachId: 'coach-ops',
      courseId: 'course-ops',
    });

    const purchaseId = randomUUID();
    const purchase = t.track(
      await t.env.client.workflow.start<PurchaseWorkflow>(purchaseWorkflowType, {
        taskQueue: t.taskQueue,
        workflowId: `purchase-${purchaseId}`,
        args: [
          {
            purchaseId,
            checkoutTimeoutMs: 60_000,
            feeBps: 1000,
            snapshot: {
              id: purchaseId,
              status: 'PENDING',
              buyer: { id: 'buyer-ops', name: 'Buyer', email: 'buyer@example.test' },
              coach: { id: 'coach-ops', name: 'Coach', email: 'coach@example.test' },
              productId: 'product-ops',
              title: 'Four lessons',
              amountMinor: 16000,
              currency: 'USD',
              paymentIntentId: null,
              createdAtMs: Date.now(),
              refundedMinor: 0,
            },
          },
        ],
      }),
    );
    await eventually(
      () => purchase.query(purchaseStateQuery),
      (state) => state.status === 'PENDING',
    );
    expect((await memoOf(purchase.workflowId)).memo).toEqual({
      summary: 'Purchase of "Four lessons" for 16000 USD minor units; buyer buyer-ops, coach coach-ops',
      purchaseId,
      productId: 'product-ops',
      buyerId: 'buyer-ops',
      coachId: 'coach-ops',
    });
  });

  it('records the memo behind a patch marker, so runs recorded before it replay without one', async () => {
    const videoId = randomUUID();
    const handle = t.track(
      await t.env.client.workflow.start<VideoWorkflow>(videoWorkflowType, {
        taskQueue: t.taskQueue,
        workflowId: `video-${videoId}`,
        args: [
          {
            videoId,
            coachId: 'coach-ops',
            mode: 'upload',
            uploadTimeoutMs: 60_000,
            mediaTaskQueue: t.mediaTaskQueue,
          },
        ],
      }),
    );
    await handle.query(videoStateQuery);
    // The server lists the patches a run took in TemporalChangeVersion; a replay of a history without
    // the marker takes the other branch (test/workflows/history-replay.test.ts replays recorded ones).
    expect((await memoOf(handle.workflowId)).patches).toContain(MEMO_PATCH);
    const history = await handle.fetchHistory();
    const modified = (history.events ?? []).filter((e) => e.workflowPropertiesModifiedEventAttributes);
    expect(modified).toHaveLength(1);
  });
});

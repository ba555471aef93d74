import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coachBalances } from '../../src/data/ledger';
import { waitUntil } from '../support/bookings';
import type { TestContext } from '../support/harness';
import {
  connectCoach,
  giveEarnings,
  payoutSchedule,
  payoutsOf,
  setPayoutsEnabled,
  startPayoutWorld,
  PAYOUT_TEST_ENV,
  closePayoutWorld,
  stripeWrites,
  type StripeProxy,
} from '../support/payouts';
import { startWorker } from '../support/worker-process';

// The worker is a real separate process (`workers/main.ts`), killed with SIGKILL while Stripe has
// made the transfer but before its answer reached the activity. A new worker retries the step with
// the same idempotency key: exactly one transfer, the payout paid once, the ledger balanced.

let proxy: StripeProxy;
let ctx: TestContext;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ({ proxy, ctx } = await startPayoutWorld({ workers: false })); // API only: the worker is a process of its own
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
    ),
  );
  await closePayoutWorld(ctx, proxy);
});

const startWorkerProcess = () => startWorker(children, { ...PAYOUT_TEST_ENV, STRIPE_API_URL: proxy.url });

describe('worker crash during a payout', () => {
  it('SIGKILL while the transfer is answered: one transfer, paid once, ledger balanced', async () => {
    const first = await startWorkerProcess();
    const coach = await connectCoach(ctx.app, ctx.deps);
    await setPayoutsEnabled(ctx.app, ctx.deps, coach, true); // the schedule is made by this worker
    await giveEarnings(ctx.deps, coach.user.id, 20_000); // 18,000 after the fee

    // Stripe makes the transfer; its answer never reaches the first worker.
    let answered!: () => void;
    const transferMade = new Promise<void>((resolve) => (answered = resolve));
    proxy.holdAnswer = (req) => {
      if (req.method !== 'POST' || req.path !== '/v1/transfers') return undefined;
      answered();
      return new Promise<void>(() => {});
    };
    await payoutSchedule(ctx.deps, coach.user.id).trigger();
    await transferMade;
    proxy.holdAnswer = undefined;
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await exited;
    const [inFlight] = await payoutsOf(ctx.deps, coach.user.id);
    expect(inFlight).toMatchObject({ status: 'pending', stripeTransferId: null, amountMinor: 18_000 });

    await startWorkerProcess();
    const paid = await waitUntil(
      'the payout paid by the second worker',
      () => payoutsOf(ctx.deps, coach.user.id),
      (rows) => rows[0]?.status === 'paid',
      150_000,
    );
    expect(paid).toHaveLength(1);
    const key = `payout-${paid[0]!.id}-transfer`;
    const attempts = proxy.calls.filter(
      (c) => c.method === 'POST' && c.path === '/v1/transfers' && c.idempotencyKey === key,
    );
    expect(attempts.length).toBeGreaterThanOrEqual(2); // the first worker's, then the retry's
    expect(attempts.every((c) => c.idempotencyKey === key)).toBe(true);
    expect(stripeWrites(proxy, '/v1/transfers').filter((c) => c.idempotencyKey === key)).toHaveLength(1);
    expect(
      stripeWrites(proxy, '/v1/transfers').filter(
        (c) => c.idempotencyKey?.includes(paid[0]!.id) && c.idempotencyKey !== key,
      ),
    ).toEqual([]);

    const ledger = await ctx.deps.db.$queryRaw<{ kind: string; n: bigint }[]>`
      SELECT kind::text, count(*) AS n FROM ledger_transactions WHERE reference = ${`payout:${paid[0]!.id}`} GROUP BY kind`;
    expect(ledger.map((r) => [r.kind, Number(r.n)])).toEqual([['payout', 1]]);
    const unbalanced = await ctx.deps.db.$queryRaw<{ transaction_id: string }[]>`
      SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency HAVING sum(amount_minor) <> 0`;
    expect(unbalanced).toEqual([]);
    const [gbp] = await coachBalances(ctx.deps.db, coach.user.id, new Date(), 0);
    expect(gbp).toMatchObject({ currency: 'gbp', availableMinor: 0, paidOutMinor: 18_000 });
  }, 360_000);
});

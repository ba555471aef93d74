import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingStateQuery } from '../../workflows/bookings/definitions';
import { workflowIds } from '../../workflows/shared/ids';
import { launchChromium, watchedPage } from '../support/browser';
import { createCoach, slotAfter, terminateOpenBookingWorkflows, waitUntil } from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// Issue 14 item 7: from a booking id an operator reaches its workflow in the Temporal UI (the search
// attributes every family upserts) and reads what it is about without reading code (the memo the
// workflow sets at start). docs/operations.md is the guide this test keeps honest.

let ctx: TestContext;
let browser: Browser;

beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

describe('issue 14 item 7: the Temporal UI finds a workflow by its business id', () => {
  it('lists booking-<id> filtered by BookingId and shows its memo and status', async () => {
    // A paid booking waits for its payment, so its workflow is still running when the UI is opened.
    const coach = await createCoach(ctx.app, ctx.deps);
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60 * 60_000);
    const created = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const bookingId: string = created.body.booking.id;
    const workflowId = workflowIds.booking(bookingId);

    // What the operator's list query matches is the visibility store, which trails the workflow a little.
    const query = `BookingId = "${bookingId}"`;
    const listed = await waitUntil(
      `the visibility store to list ${query}`,
      async () => {
        const ids: string[] = [];
        for await (const wf of ctx.deps.temporal.workflow.list({ query })) ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.length > 0,
    );
    expect(listed).toEqual([workflowId]);
    const described = await ctx.deps.temporal.workflow.getHandle(workflowId).describe();
    expect(described.memo?.summary).toMatch(/^Booking of "Batting lesson" /);
    expect(described.memo?.bookingId).toBe(bookingId);
    const state = await ctx.deps.temporal.workflow.getHandle(workflowId).query(bookingStateQuery);
    expect(state.status).toBe('PENDING');

    const ui = ctx.deps.cfg.TEMPORAL_UI_URL.replace(/\/$/, '');
    const namespace = encodeURIComponent(ctx.deps.cfg.TEMPORAL_NAMESPACE);
    const view = await watchedPage(browser);
    const { page } = view;
    await page.goto(`${ui}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`);
    const row = page.getByRole('link', { name: workflowId });
    await row.first().waitFor({ timeout: 30_000 });
    // Only this booking's run matches the filter.
    await expect.poll(() => page.getByRole('link', { name: /^booking-/ }).count()).toBe(1);
    await view.screenshot('temporal-ui-filtered-by-booking-id');

    await row.first().click();
    await page.waitForURL(/\/workflows\/booking-/, { timeout: 30_000 });
    const body = page.locator('body');
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toContain('bookingWorkflow');
    await view.screenshot('temporal-ui-booking-workflow');

    // The human summary, without reading code or the input.
    await page.getByRole('tab', { name: 'Memo' }).click();
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toContain('Booking of');
    expect(await body.innerText()).toContain(`coach ${coach.user.id}, athlete ${athlete.id}`);
    await view.screenshot('temporal-ui-booking-memo');

    // Its domain status, as the operator filters by it.
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toContain('DomainStatus');
    expect(await body.innerText()).toContain('PENDING');

    expect(view.offMachineRequests).toEqual([]);
    expect(view.pageErrors).toEqual([]);
  });
});

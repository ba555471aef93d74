import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookingRow,
  createCoach,
  slotsFor,
  terminateOpenBookingWorkflows,
  waitForStatus,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// Repair on contact (docs/adr/0011 rule 2): a hold whose workflow never started (the API died between
// its commit and the start) is found by the coach's next booking, and its workflow, started then,
// settles it as it would have: past its hold, it expires and frees the time.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
});
afterAll(async () => {
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

describe('a booking whose workflow never started', () => {
  it("is expired by the workflow the coach's next booking starts for it", async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const [stranded, other] = await Promise.all([
      createUser(ctx.app, ctx.deps, 'free', 'stranded'),
      createUser(ctx.app, ctx.deps, 'free', 'next'),
    ]);
    const slots = await slotsFor(ctx.app, coach.service.id, {
      from: new Date(Date.now() + 3 * 3_600_000).toISOString(),
    });
    const [first, second] = [slots[0]!, slots[3]!];
    // The row the dead API left: PENDING, created 40 minutes ago (hold 15 min + 5 min grace passed).
    const orphanId = randomUUID();
    const startsAt = new Date(first.start);
    const endsAt = new Date(first.end);
    await ctx.deps.db.booking.create({
      data: {
        id: orphanId,
        coachId: coach.user.id,
        athleteId: stranded.id,
        serviceId: coach.service.id,
        startsAt,
        endsAt,
        blockedStart: startsAt,
        blockedEnd: endsAt,
        bufferBeforeMin: 0,
        bufferAfterMin: 0,
        priceMinor: coach.service.priceMinor,
        currency: coach.service.currency,
        createdAt: new Date(Date.now() - 40 * 60_000),
      },
    });
    // The stranded hold still blocks its slot...
    expect((await slotsFor(ctx.app, coach.service.id)).map((s) => s.start)).not.toContain(first.start);

    const next = await call(ctx.app, 'POST', '/api/bookings', {
      token: other.token,
      body: { serviceId: coach.service.id, start: second.start },
    });
    expect(next.status).toBe(201);

    // ...until the next booking with the coach starts its workflow, which expires it.
    await waitForStatus(ctx.deps, orphanId, 'EXPIRED');
    expect((await bookingRow(ctx.deps, orphanId)).paymentIntentId).toBeNull();
    expect((await slotsFor(ctx.app, coach.service.id)).map((s) => s.start)).toContain(first.start);
  });
});

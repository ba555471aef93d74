import type { z } from '@hono/zod-openapi';
import type { Earnings } from '../../app/earnings/earnings';
import type { EarningsSchema } from './schemas';

export function earningsView(e: Earnings): z.infer<typeof EarningsSchema> {
  return {
    asOf: e.asOf.toISOString(),
    holdPeriodSeconds: Math.round(e.holdPeriodMs / 1000),
    feeBps: e.feeBps,
    balances: e.balances,
    period: {
      from: e.period.from?.toISOString() ?? null,
      to: e.period.to?.toISOString() ?? null,
      totals: e.period.totals,
    },
    movements: {
      items: e.movements.items.map((m) => ({ ...m, occurredAt: m.occurredAt.toISOString() })),
      total: e.movements.total,
    },
  };
}

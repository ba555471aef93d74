import type { ServerEventType } from '../../src/domain/analytics/events';
import { serverEventKey } from '../../src/domain/analytics/events';
import { insertEvents, refreshRollup } from '../../src/data/analytics';
import type { Deps } from '../../src/infra/deps';

// Server-side analytics, recorded by the workflows themselves (purchases, bookings, paid sessions),
// so revenue never depends on a browser. Keyed per business fact: a retry or a replay records nothing new.

export interface ServerAnalyticsEvent {
  type: ServerEventType;
  /** The business id the event is about (purchase, booking, paid session); with type, the idempotency key. */
  id: string;
  coachId: string;
  userId: string | null;
  /** ISO instant (workflow time). */
  occurredAt: string;
  amountMinor?: number;
  currency?: string;
}

export function analyticsPostgresActivities(deps: Pick<Deps, 'db'>) {
  return {
    async recordAnalyticsEvents(events: ServerAnalyticsEvent[]): Promise<{ recorded: number }> {
      const recorded = await insertEvents(
        deps.db,
        events.map((e) => ({
          key: serverEventKey(e.type, e.id),
          coachId: e.coachId,
          type: e.type,
          occurredAt: new Date(e.occurredAt),
          userId: e.userId,
          amountMinor: e.amountMinor ?? null,
          currency: e.currency ? e.currency.toUpperCase() : null,
          path: null,
        })),
      );
      return { recorded };
    },

    /** The analytics-rollup schedule's step (src/data/analytics.ts refreshRollup). */
    async refreshAnalyticsRollup(): Promise<{ pairs: number }> {
      return { pairs: await refreshRollup(deps.db) };
    },
  };
}

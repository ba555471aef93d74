import type { z } from '@hono/zod-openapi';
import type { Slot } from '../../domain/availability/slots';
import { formatInZone } from '../../domain/shared/timezone';
import type { AvailabilityBlackout, AvailabilityWindow } from '../../generated/prisma/client';
import type { BlackoutSchema, SlotsSchema, WeeklyAvailabilitySchema } from './schemas';

export const weeklyAvailabilityView = (w: {
  timeZone: string;
  windows: AvailabilityWindow[];
}): z.infer<typeof WeeklyAvailabilitySchema> => ({
  timeZone: w.timeZone,
  windows: w.windows.map((x) => ({
    id: x.id,
    dayOfWeek: x.dayOfWeek,
    startTime: x.startTime,
    endTime: x.endTime,
  })),
});

export const blackoutView = (b: AvailabilityBlackout): z.infer<typeof BlackoutSchema> => ({
  id: b.id,
  start: b.startsAt.toISOString(),
  end: b.endsAt.toISOString(),
  reason: b.reason,
});

/** UTC instants; with a viewer zone each slot also carries the viewer's local wall-clock times. */
export function slotsView(
  found: {
    offering: { id: string; coachId: string; durationMin: number };
    timeZone: string;
    from: Date;
    to: Date;
    slots: Slot[];
  },
  viewer: string | undefined,
): z.infer<typeof SlotsSchema> {
  return {
    coachId: found.offering.coachId,
    serviceId: found.offering.id,
    durationMin: found.offering.durationMin,
    timeZone: found.timeZone,
    viewerTimeZone: viewer ?? null,
    from: found.from.toISOString(),
    to: found.to.toISOString(),
    slots: found.slots.map((s) => ({
      start: s.start.toISOString(),
      end: s.end.toISOString(),
      ...(viewer
        ? { local: { start: formatInZone(s.start, viewer), end: formatInZone(s.end, viewer) } }
        : {}),
    })),
  };
}

import { z } from '@hono/zod-openapi';
import { parseIsoDate } from '../../domain/shared/timezone';
import { Instant, TimeZone } from '../openapi';

const HHMM = z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM');
const TimeWindowInput = z.object({ startTime: HHMM, endTime: HHMM }).strict();
export const WeeklyWindowInput = z
  .object({ dayOfWeek: z.number().int().min(0).max(6), startTime: HHMM, endTime: HHMM })
  .strict();
export const WeeklyWindowsBody = z.object({ windows: z.array(WeeklyWindowInput).max(100) }).strict();
export const OverrideBody = z.object({ windows: z.array(TimeWindowInput).max(20) }).strict();
export const BlackoutBody = z
  .object({ start: Instant, end: Instant, reason: z.string().max(500).default('') })
  .strict();

export const IsoDateParam = z.object({
  date: z.string().refine((d) => parseIsoDate(d) !== null, 'must be a valid YYYY-MM-DD date'),
});

export const SlotsQuery = z.object({
  serviceId: z.uuid(),
  coachSlug: z.string().min(3).max(60).optional(),
  coachId: z.uuid().optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  timeZone: TimeZone.optional(),
});

const WindowSchema = z
  .object({ id: z.uuid(), dayOfWeek: z.number().int(), startTime: z.string(), endTime: z.string() })
  .openapi('AvailabilityWindow');
export const WeeklyAvailabilitySchema = z
  .object({ timeZone: z.string(), windows: z.array(WindowSchema) })
  .openapi('WeeklyAvailability');
export const OverrideSchema = z
  .object({ date: z.string(), windows: z.array(z.object({ startTime: z.string(), endTime: z.string() })) })
  .openapi('AvailabilityOverride');
export const OverridesSchema = z.object({ timeZone: z.string(), items: z.array(OverrideSchema) });
export const BlackoutSchema = z
  .object({ id: z.uuid(), start: z.string(), end: z.string(), reason: z.string() })
  .openapi('Blackout');

const SlotSchema = z
  .object({
    start: z.string(),
    end: z.string(),
    local: z.object({ start: z.string(), end: z.string() }).optional(),
  })
  .openapi('Slot');
export const SlotsSchema = z
  .object({
    coachId: z.uuid(),
    serviceId: z.uuid(),
    durationMin: z.number().int(),
    timeZone: z.string(),
    viewerTimeZone: z.string().nullable(),
    from: z.string(),
    to: z.string(),
    slots: z.array(SlotSchema),
  })
  .openapi('Slots');

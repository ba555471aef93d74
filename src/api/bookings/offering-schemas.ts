import { z } from '@hono/zod-openapi';
import { MAX_HORIZON_DAYS } from '../../domain/availability/slot-check';
import { SLOT_INTERVALS_MIN } from '../../domain/availability/slots';
import { isSupportedCurrency } from '../../domain/shared/money';

// A coach's bookable offerings. The public API calls them services (paths, tags, the component
// name BookingService), which is the product's contract and stays.

const Tier = z.object({ hoursBefore: z.number(), refundPercent: z.number() }).strict();
const PolicySchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('flexible') }).strict(),
    z.object({ kind: z.literal('moderate') }).strict(),
    z.object({ kind: z.literal('strict') }).strict(),
    z.object({ kind: z.literal('custom'), tiers: z.array(Tier).min(1).max(10) }).strict(),
  ])
  .openapi('CancellationPolicy');

const Minutes = (max: number) => z.number().int('must be a whole number of minutes').min(0).max(max);
const Limit = z.number().int().min(1).max(1000).nullable();

const OfferingFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  durationMin: z.number().int('must be a whole number of minutes').min(5).max(720),
  priceMinor: z.number().int('must be an integer amount in minor units (cents)').min(0).max(100_000_000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as USD')
    .refine(isSupportedCurrency, 'is not a supported currency'),
  bufferBeforeMin: Minutes(240),
  bufferAfterMin: Minutes(240),
  minimumNoticeMin: Minutes(60 * 24 * 30),
  horizonDays: z.number().int().min(1).max(MAX_HORIZON_DAYS),
  slotIntervalMin: z
    .number()
    .int()
    .refine(
      (n) => (SLOT_INTERVALS_MIN as readonly number[]).includes(n),
      `must be one of ${SLOT_INTERVALS_MIN.join(', ')}`,
    )
    .nullable(),
  dailyLimit: Limit,
  weeklyLimit: Limit,
  cancellationPolicy: PolicySchema,
  active: z.boolean(),
};

export const CreateOfferingBody = z
  .object({
    ...OfferingFields,
    description: OfferingFields.description.default(''),
    priceMinor: OfferingFields.priceMinor.default(0),
    currency: OfferingFields.currency.default('USD'),
    bufferBeforeMin: OfferingFields.bufferBeforeMin.default(0),
    bufferAfterMin: OfferingFields.bufferAfterMin.default(0),
    minimumNoticeMin: OfferingFields.minimumNoticeMin.default(0),
    horizonDays: OfferingFields.horizonDays.default(60),
    slotIntervalMin: OfferingFields.slotIntervalMin.default(null),
    dailyLimit: OfferingFields.dailyLimit.default(null),
    weeklyLimit: OfferingFields.weeklyLimit.default(null),
    cancellationPolicy: PolicySchema.default({ kind: 'flexible' }),
    active: OfferingFields.active.default(true),
  })
  .strict();
export const UpdateOfferingBody = z.object(OfferingFields).partial().strict();

export const CoachSlugParam = z.object({ slug: z.string().min(3).max(60) });

export const OfferingSchema = z
  .object({
    id: z.uuid(),
    coachId: z.uuid(),
    title: z.string(),
    description: z.string(),
    durationMin: z.number().int(),
    priceMinor: z.number().int(),
    currency: z.string(),
    bufferBeforeMin: z.number().int(),
    bufferAfterMin: z.number().int(),
    minimumNoticeMin: z.number().int(),
    horizonDays: z.number().int(),
    slotIntervalMin: z.number().int().nullable(),
    dailyLimit: z.number().int().nullable(),
    weeklyLimit: z.number().int().nullable(),
    cancellationPolicy: PolicySchema,
    active: z.boolean(),
  })
  .openapi('BookingService');

import { z } from '@hono/zod-openapi';
import { PACKAGE_LIMITS, PRODUCT_TYPES } from '../../domain/purchases/packages';
import { TimeZone } from '../openapi';
import { CourseSummarySchema } from '../courses/schemas';

export const Slug = z
  .string()
  .min(3)
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case letters, digits and single hyphens');
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as USD');

export const ProfileInput = z
  .object({
    slug: Slug,
    displayName: z.string().trim().min(1).max(100),
    bio: z.string().max(5000).default(''),
    avatarUrl: z.url().max(2000).nullable().default(null),
    timeZone: TimeZone,
    bookingEnabled: z.boolean().default(false),
    productsEnabled: z.boolean().default(false),
  })
  .strict();

export const ProfileSchema = z
  .object({
    userId: z.uuid(),
    slug: z.string(),
    displayName: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    timeZone: z.string(),
    bookingEnabled: z.boolean(),
    productsEnabled: z.boolean(),
    stripeAccountId: z.string().nullable(),
  })
  .openapi('CoachProfile');

export const ProductInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5000).default(''),
    priceMinor: z.number().int('must be an integer amount in minor units (cents)').min(0).max(100_000_000),
    currency: Currency,
    active: z.boolean().default(true),
    /** PACKAGE bundles productIds and/or credits; no default here, so a PATCH never changes it unasked. */
    type: z.enum(PRODUCT_TYPES).optional(),
    productIds: z.array(z.uuid()).max(PACKAGE_LIMITS.maxItems).optional(),
    credits: z
      .object({
        serviceId: z.uuid(),
        count: z.number().int().min(1).max(PACKAGE_LIMITS.maxCredits),
        expiryDays: z.number().int().min(1).max(PACKAGE_LIMITS.maxExpiryDays),
      })
      .strict()
      .nullable()
      .optional(),
    /** A PACKAGE may include one of the coach's own courses (any access type); null removes it. */
    courseId: z.uuid().nullable().optional(),
  })
  .strict();

export const ProductSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    priceMinor: z.number().int(),
    currency: z.string(),
    active: z.boolean(),
    type: z.enum(PRODUCT_TYPES),
    productIds: z.array(z.uuid()),
    credits: z
      .object({ serviceId: z.uuid(), count: z.number().int(), expiryDays: z.number().int() })
      .nullable(),
    /** The course a buyer of this package gets access to, or null. */
    courseId: z.uuid().nullable(),
    /** Sold products are archived instead of deleted: no longer on sale, no longer changeable. */
    archived: z.boolean(),
  })
  .openapi('Product');

export const PublicCoachSchema = z
  .object({
    slug: z.string(),
    displayName: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    timeZone: z.string(),
    cta: z.object({ book: z.boolean(), buy: z.boolean() }),
    products: z.array(ProductSchema.omit({ active: true, archived: true })),
    /** Published courses, newest first; each counts towards the Buy call to action. */
    courses: z.array(CourseSummarySchema),
  })
  .openapi('PublicCoach');

import { z } from '@hono/zod-openapi';
import { FEATURE_FLAGS, LIMIT_NAMES, ROLES } from '../domain/billing/plans';

// Shapes shared by several routers. Request bodies are .strict(): an unknown field is a mistake the
// caller should hear about, not something silently dropped.

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const errorResponses = (...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 429)[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: ERROR_TEXT[s], content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  ) as Record<
    number,
    { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }
  >;

const ERROR_TEXT = {
  400: 'Invalid input (each field and why)',
  401: 'Missing, invalid or expired token',
  403: 'Role or plan does not allow this',
  404: 'Not found (or not visible to you)',
  409: 'Conflicts with the current state',
  413: 'Over quota or size limit',
  429: 'Rate or usage limit reached',
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const RoleSchema = z.enum(ROLES).openapi('Role');
export const Uuid = z.uuid();
export const IdParam = z.object({ id: z.uuid() });

export const UserSchema = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), role: RoleSchema, createdAt: z.string() })
  .openapi('User');

export function userView(u: {
  id: string;
  email: string;
  name: string;
  role: (typeof ROLES)[number];
  createdAt: Date;
}) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString() };
}

export const EntitlementsSchema = z
  .object({
    role: RoleSchema,
    plan: z.object({ name: z.string(), priceMonthlyMinor: z.number().int(), currency: z.string() }),
    features: z.record(z.enum(FEATURE_FLAGS), z.boolean()),
    limits: z.record(z.enum(LIMIT_NAMES), z.number().nullable()),
    usage: z.object({
      ai_reports: z.object({ used: z.number(), limit: z.number().nullable(), period: z.string() }),
      storage_bytes: z.object({ used: z.number(), limit: z.number().nullable(), period: z.string() }),
    }),
  })
  .openapi('Entitlements');

export const pagination = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
};

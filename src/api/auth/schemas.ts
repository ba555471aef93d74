import { z } from '@hono/zod-openapi';
import { FEATURE_FLAGS, LIMIT_NAMES } from '../../domain/subscriptions/plans';
import { RoleSchema } from '../openapi';

// Trimmed before checking, so a pasted address with stray spaces still registers.
const Email = z.string().trim().pipe(z.email().max(254));
const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters');

export const RegisterBody = z
  .object({ email: Email, password: Password, name: z.string().trim().min(1).max(100) })
  .strict();
export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(200) }).strict();
export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200) }).strict();

export const UserSchema = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), role: RoleSchema, createdAt: z.string() })
  .openapi('User');

export const TokensSchema = z
  .object({
    token: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
  })
  .openapi('Tokens');

/** A new login session: its tokens and whose they are (the public component keeps its name, Session). */
export const AuthSessionSchema = TokensSchema.extend({ user: UserSchema }).openapi('Session');

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

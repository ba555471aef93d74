import type { z } from '@hono/zod-openapi';
import type { User } from '../../generated/prisma/client';
import type { TokenPair } from '../../app/identity/accounts';
import type { AuthSessionSchema, UserSchema } from './schemas';

export function userView(
  u: Pick<User, 'id' | 'email' | 'name' | 'role' | 'createdAt'>,
): z.infer<typeof UserSchema> {
  return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString() };
}

export const authSessionView = (
  user: Parameters<typeof userView>[0],
  tokens: TokenPair,
): z.infer<typeof AuthSessionSchema> => ({ ...tokens, user: userView(user) });

import { z } from '@hono/zod-openapi';
import { RoleSchema } from '../openapi';

export const InviteBody = z.object({ email: z.email().max(254) }).strict();
export const CoachIdParam = z.object({ coachId: z.uuid() });
export const PlayerIdParam = z.object({ playerId: z.uuid() });

export const RosterEntrySchema = z
  .object({
    coachId: z.uuid(),
    playerId: z.uuid(),
    status: z.enum(['invited', 'active']),
    invitedAt: z.string(),
    acceptedAt: z.string().nullable(),
    person: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
  })
  .openapi('RosterEntry');

export const PlayerSchema = z
  .object({ id: z.uuid(), name: z.string(), email: z.string(), role: RoleSchema })
  .openapi('Player');

import type { z } from '@hono/zod-openapi';
import type { User } from '../../generated/prisma/client';
import type { RosterEntry } from '../../app/identity/roster';
import type { PlayerSchema, RosterEntrySchema } from './schemas';

type Person = Pick<User, 'id' | 'name' | 'email'>;

/** A roster row with the person on the other side (the player for the coach, the coach for the player). */
export const rosterEntryView = (r: RosterEntry): z.infer<typeof RosterEntrySchema> => ({
  coachId: r.coachId,
  playerId: r.playerId,
  status: r.status,
  invitedAt: r.invitedAt.toISOString(),
  acceptedAt: r.acceptedAt?.toISOString() ?? null,
  person: { id: r.person.id, name: r.person.name, email: r.person.email },
});

export const playerView = (p: Person & Pick<User, 'role'>): z.infer<typeof PlayerSchema> => ({
  id: p.id,
  name: p.name,
  email: p.email,
  role: p.role,
});

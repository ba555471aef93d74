/**
 * Who may do what to which resource, as data. Every use case asks `decide` (or `enforce`);
 * the facts (ownership, rosters, org membership) are loaded by src/data/access.ts.
 *
 * Relations an actor can have to a resource:
 * - owner: created it / it is theirs (a coach's video session, an athlete's booking)
 * - participant: named on it (a player assigned to a video session, the coach of a booking)
 * - coach: an active coach of the resource's subject (a player's coach reading the player)
 * - org_admin / org_member: admin / member of an organisation the resource belongs to (for a
 *   person: an organisation they accepted an invitation to; an invitation alone is no tie)
 * - superuser
 *
 * What an organisation reaches (issue 9 #2, docs/adr/0007): joining shares the member's account
 * (name, email, plan: what the member list shows) with the org's admins, and nothing else. Org
 * admins reach a member's content only where the member shares it with the organisation; nothing can
 * be shared with an organisation yet, so org_admin grants nothing on video sessions or clips.
 */
import type { Role } from '../subscriptions/plans';
import { forbidden, notFound } from '../shared/errors';

export type Action = 'read' | 'write';
export type Relation = 'owner' | 'participant' | 'coach' | 'org_admin' | 'org_member' | 'superuser';

export const RESOURCE_KINDS = [
  'player',
  'coach_profile',
  'product',
  'organisation',
  'booking',
  'video_session',
  'clip',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** For each kind and action, the relations that grant it. */
export const POLICY: Readonly<Record<ResourceKind, Readonly<Record<Action, readonly Relation[]>>>> = {
  // A person's account as others see it: themselves, their active coaches, admins of organisations
  // they joined.
  player: { read: ['owner', 'coach', 'org_admin', 'superuser'], write: ['owner', 'superuser'] },
  coach_profile: { read: ['owner', 'superuser'], write: ['owner', 'superuser'] },
  product: { read: ['owner', 'superuser'], write: ['owner', 'superuser'] },
  organisation: {
    read: ['owner', 'org_member', 'org_admin', 'superuser'],
    write: ['owner', 'org_admin', 'superuser'],
  },
  // Booking: owner = athlete, participant = the coach.
  booking: { read: ['owner', 'participant', 'superuser'], write: ['owner', 'participant', 'superuser'] },
  // Video session / clip: owner = coach, participants = players it is shared with *while they are on
  // the coach's active roster* (src/data/videos.ts checks the tie live: removal or leaving revokes,
  // rejoining restores). No org relation: membership does not share content with the organisation.
  video_session: { read: ['owner', 'participant', 'superuser'], write: ['owner', 'superuser'] },
  clip: { read: ['owner', 'participant', 'superuser'], write: ['owner', 'superuser'] },
};

export interface Actor {
  id: string;
  role: Role;
}

/** What is known about a resource and the actor's ties to it. */
export interface ResourceFacts {
  kind: ResourceKind;
  ownerId: string;
  participantIds?: readonly string[];
  /** The actor is an active coach of the resource's subject (for kind `player`). */
  actorIsCoach?: boolean;
  actorIsOrgAdmin?: boolean;
  actorIsOrgMember?: boolean;
}

export function relationsOf(actor: Actor, r: ResourceFacts): Set<Relation> {
  const rel = new Set<Relation>();
  if (actor.role === 'superuser') rel.add('superuser');
  if (r.ownerId === actor.id) rel.add('owner');
  if (r.participantIds?.includes(actor.id)) rel.add('participant');
  if (r.actorIsCoach) rel.add('coach');
  if (r.actorIsOrgAdmin) rel.add('org_admin');
  if (r.actorIsOrgMember || r.actorIsOrgAdmin) rel.add('org_member');
  return rel;
}

/**
 * allow; or hide (the actor may not even read it: answer 404 so existence does not leak);
 * or forbid (the actor can see it but not do this: 403).
 */
export type Decision = 'allow' | 'hide' | 'forbid';

export function decide(actor: Actor, action: Action, resource: ResourceFacts): Decision {
  const rel = relationsOf(actor, resource);
  const grants = (a: Action) => POLICY[resource.kind][a].some((r) => rel.has(r));
  if (grants(action)) return 'allow';
  return grants('read') ? 'forbid' : 'hide';
}

/**
 * Throws unless the actor may do `action`: not found when they may not even see the resource (or
 * it does not exist, `facts` undefined), forbidden when they can see it but not do this.
 */
export function enforce(actor: Actor, action: Action, facts: ResourceFacts | undefined, what: string): void {
  if (!facts) throw notFound(what);
  const decision = decide(actor, action, facts);
  if (decision === 'hide') throw notFound(what);
  if (decision === 'forbid') throw forbidden(`You may view this ${what.toLowerCase()} but not change it`);
}

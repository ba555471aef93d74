import { describe, expect, it } from 'vitest';
import {
  decide,
  POLICY,
  RESOURCE_KINDS,
  relationsOf,
  type ResourceFacts,
} from '../../../src/domain/identity/access';
import { ctaFlags } from '../../../src/domain/identity/coach-page';
import { ROLES } from '../../../src/domain/subscriptions/plans';

const me = 'u-me';
const other = 'u-other';

describe('decide', () => {
  it('lets owners do everything to their own resources', () => {
    for (const kind of RESOURCE_KINDS) {
      expect(decide({ id: me, role: 'free' }, 'read', { kind, ownerId: me })).toBe('allow');
      expect(decide({ id: me, role: 'free' }, 'write', { kind, ownerId: me })).toBe('allow');
    }
  });

  it('hides other people’s resources from every non-superuser role, whatever the plan', () => {
    for (const role of ROLES.filter((r) => r !== 'superuser')) {
      for (const kind of RESOURCE_KINDS) {
        expect(decide({ id: me, role }, 'read', { kind, ownerId: other }), `${role} ${kind}`).toBe('hide');
        expect(decide({ id: me, role }, 'write', { kind, ownerId: other }), `${role} ${kind}`).toBe('hide');
      }
    }
  });

  it('lets superusers through everywhere', () => {
    for (const kind of RESOURCE_KINDS)
      expect(decide({ id: me, role: 'superuser' }, 'write', { kind, ownerId: other })).toBe('allow');
  });

  it('lets players a video is shared with watch it but not change it', () => {
    const video: ResourceFacts = { kind: 'video_session', ownerId: other, participantIds: [me] };
    expect(decide({ id: me, role: 'player_pro' }, 'read', video)).toBe('allow');
    expect(decide({ id: me, role: 'player_pro' }, 'write', video)).toBe('forbid');
  });

  it('lets both sides of a booking act on it', () => {
    const booking: ResourceFacts = { kind: 'booking', ownerId: 'athlete', participantIds: ['coach'] };
    expect(decide({ id: 'coach', role: 'coach_pro' }, 'write', booking)).toBe('allow');
    expect(decide({ id: 'athlete', role: 'free' }, 'write', booking)).toBe('allow');
  });

  it('lets a player’s active coach and org admin read, not write, the player', () => {
    expect(
      decide({ id: me, role: 'coach_pro' }, 'read', { kind: 'player', ownerId: other, actorIsCoach: true }),
    ).toBe('allow');
    expect(
      decide({ id: me, role: 'coach_pro' }, 'write', { kind: 'player', ownerId: other, actorIsCoach: true }),
    ).toBe('forbid');
    expect(
      decide({ id: me, role: 'org_pro' }, 'read', { kind: 'player', ownerId: other, actorIsOrgAdmin: true }),
    ).toBe('allow');
  });

  it('issue 9 #2: gives org admins no reach over members’ video sessions or clips', () => {
    for (const kind of ['video_session', 'clip'] as const) {
      const facts: ResourceFacts = { kind, ownerId: other, actorIsOrgAdmin: true, actorIsOrgMember: true };
      expect(decide({ id: me, role: 'org_pro' }, 'read', facts), kind).toBe('hide');
      expect(POLICY[kind].read, kind).not.toContain('org_admin');
      expect(POLICY[kind].read, kind).not.toContain('org_member');
    }
  });

  it('treats org admins as members', () => {
    expect(
      [
        ...relationsOf(
          { id: me, role: 'org_pro' },
          { kind: 'organisation', ownerId: other, actorIsOrgAdmin: true },
        ),
      ].sort(),
    ).toEqual(['org_admin', 'org_member']);
  });

  it('never grants write without read (a write-only relation would leak existence)', () => {
    for (const kind of RESOURCE_KINDS)
      for (const r of POLICY[kind].write) expect(POLICY[kind].read, `${kind}.${r}`).toContain(r);
  });
});

describe('coach page calls to action', () => {
  it.each([
    [
      {
        bookingEnabled: true,
        hasOpenSlot: true,
        productsEnabled: true,
        activeProducts: 2,
        publishedCourses: 0,
      },
      { book: true, buy: true },
    ],
    [
      {
        bookingEnabled: true,
        hasOpenSlot: false,
        productsEnabled: true,
        activeProducts: 0,
        publishedCourses: 0,
      },
      { book: false, buy: false },
    ],
    [
      {
        bookingEnabled: false,
        hasOpenSlot: true,
        productsEnabled: false,
        activeProducts: 3,
        publishedCourses: 0,
      },
      { book: false, buy: false },
    ],
    // A published course is something to buy even with products switched off or none for sale.
    [
      {
        bookingEnabled: false,
        hasOpenSlot: false,
        productsEnabled: false,
        activeProducts: 0,
        publishedCourses: 1,
      },
      { book: false, buy: true },
    ],
    [
      {
        bookingEnabled: true,
        hasOpenSlot: true,
        productsEnabled: true,
        activeProducts: 0,
        publishedCourses: 2,
      },
      { book: true, buy: true },
    ],
  ])('%j → %j', (facts, flags) => expect(ctaFlags(facts)).toEqual(flags));
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { enrolmentBar, lectureAccess, type LectureAccessFacts } from '../../../src/domain/courses/access';
import { COURSE_ACCESS_TYPES } from '../../../src/domain/courses/course';

const base: LectureAccessFacts = {
  isOwner: false,
  published: true,
  accessType: 'free',
  enrolled: false,
  membershipActive: false,
  activePaidSession: false,
  purchased: false,
};
const facts = fc.record({
  isOwner: fc.boolean(),
  published: fc.boolean(),
  accessType: fc.constantFrom(...COURSE_ACCESS_TYPES),
  enrolled: fc.boolean(),
  membershipActive: fc.boolean(),
  activePaidSession: fc.boolean(),
  purchased: fc.boolean(),
});

describe('lecture access', () => {
  it.each([
    [{}, { allowed: false, reason: 'not_enrolled' }],
    [{ enrolled: true }, { allowed: true }],
    [
      { enrolled: true, published: false },
      { allowed: false, reason: 'course_not_published' },
    ],
    [{ isOwner: true, published: false }, { allowed: true }],
    [{ accessType: 'email_gate', enrolled: true }, { allowed: true }],
    [
      { accessType: 'email_gate', activePaidSession: true },
      { allowed: false, reason: 'not_enrolled' },
    ],
    [
      { accessType: 'membership', enrolled: true },
      { allowed: false, reason: 'membership_required' },
    ],
    [
      { accessType: 'membership', membershipActive: true },
      { allowed: false, reason: 'not_enrolled' },
    ],
    [{ accessType: 'membership', enrolled: true, membershipActive: true }, { allowed: true }],
    [
      { accessType: 'paid_per_minute', enrolled: true },
      { allowed: false, reason: 'paid_session_required' },
    ],
    [{ accessType: 'paid_per_minute', activePaidSession: true }, { allowed: true }],
    [
      { accessType: 'paid_per_minute', activePaidSession: true, published: false },
      { allowed: false, reason: 'course_not_published' },
    ],
    // Bought through a package: no enrolment, membership or paid session needed.
    [{ accessType: 'paid_per_minute', purchased: true }, { allowed: true }],
    [{ accessType: 'membership', purchased: true }, { allowed: true }],
    [{ accessType: 'email_gate', purchased: true }, { allowed: true }],
    [{ accessType: 'free', purchased: true }, { allowed: true }],
    [
      { accessType: 'paid_per_minute', purchased: true, published: false },
      { allowed: false, reason: 'course_not_published' },
    ],
  ] as const)('%j → %j', (f, expected) => expect(lectureAccess({ ...base, ...f })).toEqual(expected));

  it('nobody but the owner watches an unpublished course', () =>
    fc.assert(
      fc.property(facts, (f) => {
        if (!f.published && !f.isOwner) expect(lectureAccess(f).allowed).toBe(false);
      }),
    ));

  it('a stranger (not enrolled, no membership, no paid session) never watches', () =>
    fc.assert(
      fc.property(facts, (f) => {
        const stranger = {
          ...f,
          isOwner: false,
          enrolled: false,
          membershipActive: false,
          activePaidSession: false,
          purchased: false,
        };
        expect(lectureAccess(stranger).allowed).toBe(false);
      }),
    ));

  it('a paid course is watched only inside an active paid session or once bought, an enrolment never opens it', () =>
    fc.assert(
      fc.property(facts, (f) => {
        const paid = { ...f, accessType: 'paid_per_minute' as const, isOwner: false };
        expect(lectureAccess(paid).allowed).toBe(
          paid.published && (paid.activePaidSession || paid.purchased),
        );
      }),
    ));

  it('a purchase opens every published course, and adds nothing to what the other facts allow', () =>
    fc.assert(
      fc.property(facts, (f) => {
        const bought = lectureAccess({ ...f, purchased: true });
        expect(bought.allowed).toBe(f.published || f.isOwner);
        // Revoking the purchase (a refund) leaves exactly the access the other facts give.
        const revoked = lectureAccess({ ...f, purchased: false });
        if (revoked.allowed) expect(bought.allowed).toBe(true);
      }),
    ));
});

describe('enrolment', () => {
  it('is for every access type but paid_per_minute', () => {
    expect(COURSE_ACCESS_TYPES.filter((t) => enrolmentBar(t) === undefined)).toEqual([
      'free',
      'email_gate',
      'membership',
    ]);
  });
});

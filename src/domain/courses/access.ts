import type { CourseAccessType } from './course';

// Who may be handed a lecture's playback URL at a given moment. The facts are gathered fresh for each
// request (src/data/courses.ts courseAccessFacts), so losing a membership, or a paid session ending,
// ends access at the next URL.

export interface LectureAccessFacts {
  isOwner: boolean;
  published: boolean;
  accessType: CourseAccessType;
  enrolled: boolean;
  /** The caller's plan in effect includes membership courses (course.ts membershipIncludesCourses). */
  membershipActive: boolean;
  /** The caller is the student of an active paid session of this course. */
  activePaidSession: boolean;
  /** A paid, unrefunded purchase gave the caller this course (a package's course_grants row). */
  purchased: boolean;
}

export type LectureAccessDenial =
  'course_not_published' | 'not_enrolled' | 'membership_required' | 'paid_session_required';

export type LectureAccess = { allowed: true } | { allowed: false; reason: LectureAccessDenial };

export function lectureAccess(f: LectureAccessFacts): LectureAccess {
  // The coach previews their own course, published or not.
  if (f.isOwner) return { allowed: true };
  if (!f.published) return { allowed: false, reason: 'course_not_published' };
  // Bought access stands on its own, whatever the access type: it was paid for up front, so no
  // enrolment, membership or running meter is asked for.
  if (f.purchased) return { allowed: true };
  switch (f.accessType) {
    case 'free':
    case 'email_gate':
      return f.enrolled ? { allowed: true } : { allowed: false, reason: 'not_enrolled' };
    case 'membership':
      // Enrolment was allowed under a membership; it must still be live now.
      if (!f.membershipActive) return { allowed: false, reason: 'membership_required' };
      return f.enrolled ? { allowed: true } : { allowed: false, reason: 'not_enrolled' };
    case 'paid_per_minute':
      // Paid courses are watched only while the meter runs, never through an enrolment.
      return f.activePaidSession ? { allowed: true } : { allowed: false, reason: 'paid_session_required' };
  }
}

/** Why an access type admits no enrolment, or undefined when it does. */
export function enrolmentBar(accessType: CourseAccessType): 'paid_course' | undefined {
  return accessType === 'paid_per_minute' ? 'paid_course' : undefined;
}

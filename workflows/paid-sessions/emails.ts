import type { DefaultActivities } from '../../activities';
import { feeSplit } from '../../src/domain/payments/ledger';
import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import type { PaidSessionWorkflowInput } from './definitions';

// The paid session's settlement emails, each recorded per (reference, template, recipient), so a
// retried activity or a replayed workflow never sends one twice.

const mail = activities(profiles.email);

type ClosedSession = Awaited<ReturnType<DefaultActivities['closePaidSession']>>;

/** The student's receipt, and the coach's notice when anything was captured. */
export async function sendSettlementEmails(
  input: PaidSessionWorkflowInput,
  closed: ClosedSession,
  { capturedMinor, releasedMinor }: { capturedMinor: number; releasedMinor: number },
): Promise<void> {
  const { sessionId } = input;
  const emailRef = `paid-session-${sessionId}`;
  const common = {
    sessionId,
    courseTitle: closed.courseTitle,
    billedSeconds: closed.billedSeconds,
    currency: input.currency,
  };
  await mail.sendEmail({
    reference: emailRef,
    template: 'paid_session_receipt',
    to: closed.student.email,
    data: {
      ...common,
      studentName: closed.student.name,
      coachName: closed.coach.name,
      lectures: closed.lectures,
      lockedMinor: input.lockedMinor,
      capturedMinor,
      releasedMinor,
    },
  });
  if (capturedMinor > 0)
    await mail.sendEmail({
      reference: emailRef,
      template: 'paid_session_coach_notice',
      to: closed.coach.email,
      data: {
        ...common,
        coachName: closed.coach.name,
        studentName: closed.student.name,
        capturedMinor,
        coachEarningsMinor: feeSplit(capturedMinor, input.feeBps).coachMinor,
      },
    });
}

import { formatMinutes } from '../../domain/paid-sessions/metering';
import { format, money } from '../../domain/shared/money';

const formatMoney = (amountMinor: number, currency: string) => format(money(amountMinor, currency));
import { layout, type RenderedEmail } from '../layout';

export interface PaidSessionCoachNoticeData {
  sessionId: string;
  coachName: string;
  studentName: string;
  courseTitle: string;
  billedSeconds: number;
  capturedMinor: number;
  coachEarningsMinor: number;
  currency: string;
}

/** To the coach when a paid session of one of their courses settles with a charge. */
export function paidSessionCoachNoticeEmail(d: PaidSessionCoachNoticeData): RenderedEmail {
  const subject = `Paid session ended: ${d.courseTitle} — ${formatMoney(d.coachEarningsMinor, d.currency)} earned`;
  const lines = [
    `Hi ${d.coachName},`,
    `${d.studentName} watched "${d.courseTitle}" for ${formatMinutes(d.billedSeconds)}.`,
    `Charged ${formatMoney(d.capturedMinor, d.currency)}; your earnings after the platform fee: ${formatMoney(d.coachEarningsMinor, d.currency)} (available after the holding period).`,
    `Session ${d.sessionId}.`,
  ];
  return { subject, text: `${lines.join('\n\n')}\n`, html: layout('A paid session ended', lines) };
}

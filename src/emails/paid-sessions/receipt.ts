import { formatMinutes } from '../../domain/paid-sessions/metering';
import { format, money } from '../../domain/shared/money';

const formatMoney = (amountMinor: number, currency: string) => format(money(amountMinor, currency));
import { layout, type RenderedEmail } from '../layout';

export interface PaidSessionReceiptData {
  sessionId: string;
  studentName: string;
  courseTitle: string;
  coachName: string;
  /** Seconds watched per lecture, in course order. */
  lectures: { position: number; title: string; seconds: number }[];
  billedSeconds: number;
  lockedMinor: number;
  capturedMinor: number;
  releasedMinor: number;
  currency: string;
}

/** To the student when a paid session settles: minutes per lecture, what was charged and released. */
export function paidSessionReceiptEmail(d: PaidSessionReceiptData): RenderedEmail {
  const subject = `Receipt: ${d.courseTitle} — ${formatMoney(d.capturedMinor, d.currency)}`;
  const lines = [
    `Hi ${d.studentName},`,
    `Your paid session of "${d.courseTitle}" with ${d.coachName} has ended. Time billed: ${formatMinutes(d.billedSeconds)}.`,
    ...(d.lectures.length > 0
      ? d.lectures.map((l) => `Lecture ${l.position}, ${l.title}: ${formatMinutes(l.seconds)}`)
      : ['No lecture was watched.']),
    `Charged: ${formatMoney(d.capturedMinor, d.currency)} of the ${formatMoney(d.lockedMinor, d.currency)} held on your card; ${formatMoney(d.releasedMinor, d.currency)} released.`,
    `Session ${d.sessionId}.`,
  ];
  return { subject, text: `${lines.join('\n\n')}\n`, html: layout('Your paid session receipt', lines) };
}

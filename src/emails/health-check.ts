import { layout, type RenderedEmail } from './layout';

/** Sent by operators to prove outbound mail works end to end. */
export function healthCheckEmail(data: { checkedAt: string }): RenderedEmail {
  const line = `Outbound email works. Checked at ${data.checkedAt}.`;
  return { subject: 'CoachFlow mail check', text: line, html: layout('Mail check', [line]) };
}

import { layout, type RenderedEmail } from '../layout';

export interface SubscriptionGraceReminderData {
  name: string;
  /** ISO date-time the videos are deleted at. */
  deletesAt: string;
  /** e.g. "in 7 days". */
  deletesIn: string;
  link: string;
}

/** Sent before the grace period ends (SUBSCRIPTION_GRACE_REMINDERS). */
export function subscriptionGraceReminderEmail(d: SubscriptionGraceReminderData): RenderedEmail {
  const subject = `Your videos will be deleted ${d.deletesIn}`;
  const lines = [
    `Hi ${d.name},`,
    `Your account no longer has a video plan. Your stored videos and clips will be deleted ${d.deletesIn} (${d.deletesAt}).`,
    'Subscribe to Coach Pro Plus (or another video plan) before then to keep all of them.',
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nKeep your videos: ${d.link}\n`,
    html: layout('Your videos will be deleted', lines, { label: 'Keep your videos', url: d.link }),
  };
}

import { layout, type RenderedEmail } from '../layout';

export interface SubscriptionVideosDeletedData {
  name: string;
  videoCount: number;
  link: string;
}

/** Sent when the grace period has ended and the stored videos are being deleted. */
export function subscriptionVideosDeletedEmail(d: SubscriptionVideosDeletedData): RenderedEmail {
  const subject = 'Your stored videos have been deleted';
  const lines = [
    `Hi ${d.name},`,
    `The grace period after your video plan ended is over: ${d.videoCount} stored video${d.videoCount === 1 ? '' : 's'} and ${d.videoCount === 1 ? 'its' : 'their'} clips are being deleted.`,
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nPlans: ${d.link}\n`,
    html: layout('Your videos have been deleted', lines, { label: 'See plans', url: d.link }),
  };
}

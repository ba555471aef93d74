import { layout, type RenderedEmail } from '../layout';

export interface SubscriptionDowngradedData {
  name: string;
  planName: string;
  /** Why: "the renewal payment stayed unpaid" / "your subscription was cancelled". */
  reason: string;
  /** Set when stored videos will be deleted at the grace period's end. */
  videosDeletedOn: string | null;
  link: string;
}

/** Sent when the account moves to Free (dunning ran out, or the subscription ended). */
export function subscriptionDowngradedEmail(d: SubscriptionDowngradedData): RenderedEmail {
  const subject = `Your account is now on the Free plan`;
  const lines = [
    `Hi ${d.name},`,
    `Your ${d.planName} subscription has ended because ${d.reason}, and your account is now on the Free plan.`,
    ...(d.videosDeletedOn
      ? [
          `Your stored videos and clips are kept until ${d.videosDeletedOn}; subscribe to a video plan before then to keep them.`,
        ]
      : []),
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nChoose a plan: ${d.link}\n`,
    html: layout('Your plan has changed', lines, { label: 'Choose a plan', url: d.link }),
  };
}

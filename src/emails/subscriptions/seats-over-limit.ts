import { layout, type RenderedEmail } from '../layout';

export interface SubscriptionSeatsOverLimitData {
  name: string;
  tierName: string;
  /** One line per organisation and seat role, e.g. "Riverside CC: 6 coach seats, 4 allowed (a@x, b@y, …)". */
  overLimit: string[];
  link: string;
}

/** Sent to an org owner whose new seat tier allows fewer seats than are held: nobody is removed. */
export function subscriptionSeatsOverLimitEmail(d: SubscriptionSeatsOverLimitData): RenderedEmail {
  const subject = `More seats are in use than ${d.tierName} includes`;
  const lines = [
    `Hi ${d.name},`,
    `Your organisation plan is now ${d.tierName}. These seats are over its limits; nobody has been removed, but no new members can take those seats until you free some or upgrade:`,
    ...d.overLimit,
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nManage seats: ${d.link}\n`,
    html: layout('Seats over your plan', lines, { label: 'Manage seats', url: d.link }),
  };
}

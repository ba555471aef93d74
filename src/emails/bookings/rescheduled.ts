import {
  bookingInvite,
  counterpart,
  formatSessionTime,
  recipientZone,
  whenFor,
  type BookingEmailData,
  type Recipient,
} from './details';
import { layout, type RenderedEmail } from '../layout';

/** To both sides when a confirmed booking moves; the invite (same UID, higher SEQUENCE) replaces the old one. */
export function bookingRescheduledEmail(
  data: BookingEmailData & { recipient: Recipient; previousStart: string; previousEnd: string },
): RenderedEmail {
  const who = data.recipient;
  const name = who === 'athlete' ? data.athlete.name : data.coach.name;
  const lines = [
    `Hi ${name},`,
    `Your ${data.serviceTitle} with ${counterpart(data, who)} has moved.`,
    `New time: ${whenFor(data, who)}`,
    `Previously: ${formatSessionTime(data.previousStart, data.previousEnd, recipientZone(data, who))}`,
    'The attached invite updates your calendar.',
  ];
  return {
    subject: `Rescheduled: ${data.serviceTitle} with ${counterpart(data, who)}`,
    text: lines.join('\n\n'),
    html: layout('Session rescheduled', lines),
    ...bookingInvite(data, 'REQUEST'),
  };
}

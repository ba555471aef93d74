import { counterpart, whenFor, type BookingEmailData, type Recipient } from './details';
import { layout, type RenderedEmail } from '../layout';

/** Before the session (BOOKING_REMINDER_LEAD ahead, or at once when booked later than that). */
export function bookingReminderEmail(data: BookingEmailData & { recipient: Recipient }): RenderedEmail {
  const who = data.recipient;
  const name = who === 'athlete' ? data.athlete.name : data.coach.name;
  const lines = [
    `Hi ${name},`,
    `A reminder of your ${data.serviceTitle} with ${counterpart(data, who)}.`,
    `When: ${whenFor(data, who)}`,
  ];
  return {
    subject: `Reminder: ${data.serviceTitle} with ${counterpart(data, who)}`,
    text: lines.join('\n\n'),
    html: layout('Upcoming session', lines),
  };
}

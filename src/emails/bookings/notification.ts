import { bookingInvite, priceText, whenFor, type BookingEmailData } from './details';
import { layout, type RenderedEmail } from '../layout';

/** To the coach when a booking is confirmed, with the calendar invite. */
export function bookingNotificationEmail(data: BookingEmailData): RenderedEmail {
  const when = whenFor(data, 'coach');
  const paid = priceText(data);
  const lines = [
    `Hi ${data.coach.name},`,
    `${data.athlete.name} (${data.athlete.email}) booked ${data.serviceTitle}.`,
    `When: ${when}`,
    ...(paid ? [`Paid: ${paid}`] : []),
  ];
  return {
    subject: `New booking: ${data.serviceTitle} with ${data.athlete.name}`,
    text: lines.join('\n\n'),
    html: layout('New booking', lines),
    ...bookingInvite(data, 'REQUEST'),
  };
}

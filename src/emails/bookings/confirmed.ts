import { bookingInvite, priceText, whenFor, type BookingEmailData } from './details';
import { layout, type RenderedEmail } from '../layout';

/** To the athlete once the booking is confirmed (paid, or free), with the calendar invite. */
export function bookingConfirmedEmail(data: BookingEmailData): RenderedEmail {
  const when = whenFor(data, 'athlete');
  const paid = priceText(data);
  const lines = [
    `Hi ${data.athlete.name},`,
    `Your ${data.serviceTitle} with ${data.coach.name} is confirmed.`,
    `When: ${when}`,
    ...(paid ? [`Paid: ${paid}`] : []),
    'The attached invite adds it to your calendar. You can reschedule or cancel from your bookings.',
  ];
  return {
    subject: `Confirmed: ${data.serviceTitle} with ${data.coach.name}`,
    text: lines.join('\n\n'),
    html: layout('Your session is confirmed', lines),
    ...bookingInvite(data, 'REQUEST'),
  };
}

import { whenFor, type BookingEmailData } from './details';
import { layout, type RenderedEmail } from '../layout';

/** To the athlete when an unpaid hold lapses and the slot is released. */
export function bookingExpiredEmail(data: BookingEmailData): RenderedEmail {
  const lines = [
    `Hi ${data.athlete.name},`,
    `We held ${data.serviceTitle} with ${data.coach.name} (${whenFor(data, 'athlete')}) for you, but the payment did not arrive in time, so the slot has been released.`,
    'You have not been charged. If the time is still free you can book it again.',
  ];
  return {
    subject: `Not booked: ${data.serviceTitle} with ${data.coach.name}`,
    text: lines.join('\n\n'),
    html: layout('Your hold has expired', lines),
  };
}

import { bookingCancelledEmail } from './booking/cancelled';
import { bookingConfirmedEmail } from './booking/confirmed';
import { bookingExpiredEmail } from './booking/expired';
import { bookingNotificationEmail } from './booking/notification';
import { bookingReminderEmail } from './booking/reminder';
import { bookingRescheduledEmail } from './booking/rescheduled';
import { healthCheckEmail } from './health-check';
import type { RenderedEmail } from './layout';
import { videoFailedEmail } from './video/failed';
import { videoReadyEmail } from './video/ready';

// Every email the product sends, by template name. One module per email; each renders HTML + text
// from plain data, so activities pass only names and data through workflow history.
export const TEMPLATES = {
  health_check: healthCheckEmail,
  video_ready: videoReadyEmail,
  video_failed: videoFailedEmail,
  booking_confirmed: bookingConfirmedEmail,
  booking_notification: bookingNotificationEmail,
  booking_reminder: bookingReminderEmail,
  booking_rescheduled: bookingRescheduledEmail,
  booking_cancelled: bookingCancelledEmail,
  booking_expired: bookingExpiredEmail,
} satisfies Record<string, (data: never) => RenderedEmail>;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<T extends TemplateName> = Parameters<(typeof TEMPLATES)[T]>[0];

export function renderEmail<T extends TemplateName>(template: T, data: TemplateData<T>): RenderedEmail {
  return (TEMPLATES[template] as (d: TemplateData<T>) => RenderedEmail)(data);
}

export type { RenderedEmail };

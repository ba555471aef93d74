import { bookingCancelledEmail } from './bookings/cancelled';
import { bookingConfirmedEmail } from './bookings/confirmed';
import { bookingExpiredEmail } from './bookings/expired';
import { bookingNotificationEmail } from './bookings/notification';
import { bookingReminderEmail } from './bookings/reminder';
import { bookingRescheduledEmail } from './bookings/rescheduled';
import { healthCheckEmail } from './health-check';
import type { RenderedEmail } from './layout';
import { purchaseConfirmedEmail, purchaseRefundedEmail, purchaseSoldEmail } from './purchases/purchase';
import { payoutFailedEmail } from './payouts/failed';
import { payoutReversedEmail } from './payouts/reversed';
import { paidSessionCoachNoticeEmail } from './paid-sessions/coach-notice';
import { paidSessionReceiptEmail } from './paid-sessions/receipt';
import { videoFailedEmail } from './videos/failed';
import { subscriptionDowngradedEmail } from './subscriptions/downgraded';
import { subscriptionGraceReminderEmail } from './subscriptions/grace-reminder';
import { subscriptionPaymentFailedEmail } from './subscriptions/payment-failed';
import { subscriptionSeatsOverLimitEmail } from './subscriptions/seats-over-limit';
import { subscriptionVideosDeletedEmail } from './subscriptions/videos-deleted';
import { videoReadyEmail } from './videos/ready';

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
  purchase_confirmed: purchaseConfirmedEmail,
  purchase_sold: purchaseSoldEmail,
  purchase_refunded: purchaseRefundedEmail,
  payout_failed: payoutFailedEmail,
  payout_reversed: payoutReversedEmail,
  paid_session_receipt: paidSessionReceiptEmail,
  paid_session_coach_notice: paidSessionCoachNoticeEmail,
  subscription_payment_failed: subscriptionPaymentFailedEmail,
  subscription_downgraded: subscriptionDowngradedEmail,
  subscription_grace_reminder: subscriptionGraceReminderEmail,
  subscription_videos_deleted: subscriptionVideosDeletedEmail,
  subscription_seats_over_limit: subscriptionSeatsOverLimitEmail,
} satisfies Record<string, (data: never) => RenderedEmail>;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<T extends TemplateName> = Parameters<(typeof TEMPLATES)[T]>[0];

export function renderEmail<T extends TemplateName>(template: T, data: TemplateData<T>): RenderedEmail {
  return (TEMPLATES[template] as (d: TemplateData<T>) => RenderedEmail)(data);
}

export type { RenderedEmail };

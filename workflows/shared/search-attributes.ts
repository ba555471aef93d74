import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Shared, typed names for everything operators and the API use to find and steer workflows.
// The same attribute names are registered with the server from temporal-config/search-attributes.json.

export const CoachIdAttr = defineSearchAttributeKey('CoachId', SearchAttributeType.KEYWORD);
export const UserIdAttr = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const DomainStatusAttr = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);
export const BookingIdAttr = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const VideoIdAttr = defineSearchAttributeKey('VideoId', SearchAttributeType.KEYWORD);

/** Workflow ids are business keys so webhooks, the API and operators can address them directly. */
export const workflowIds = {
  healthCheck: (id: string) => `health-check-${id}`,
  booking: (bookingId: string) => `booking-${bookingId}`,
  video: (videoId: string) => `video-${videoId}`,
  clip: (clipId: string) => `clip-${clipId}`,
  paidSession: (sessionId: string) => `paid-session-${sessionId}`,
  payout: (coachId: string, period: string) => `payout-${coachId}-${period}`,
  subscription: (userId: string) => `subscription-${userId}`,
};

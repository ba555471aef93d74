// Workflow ids are business keys so webhooks, the API and operators can address them directly.

export const workflowIds = {
  healthCheck: (id: string) => `health-check-${id}`,
  booking: (bookingId: string) => `booking-${bookingId}`,
  video: (videoId: string) => `video-${videoId}`,
  clip: (clipId: string) => `clip-${clipId}`,
  paidSession: (sessionId: string) => `paid-session-${sessionId}`,
  payout: (coachId: string, period: string) => `payout-${coachId}-${period}`,
  subscription: (userId: string) => `subscription-${userId}`,
  purchase: (purchaseId: string) => `purchase-${purchaseId}`,
};

/** Ids of Temporal Schedules the workers keep in place. */
export const scheduleIds = {
  pruneRateLimits: 'maintenance-prune-rate-limits',
  resumeDeletions: 'maintenance-resume-deletions',
  /** One per coach with a payout-ready Connect account (created when ready, paused when not). */
  coachPayouts: (coachId: string) => `payouts-${coachId}`,
  analyticsRollup: 'maintenance-analytics-rollup',
};

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Typed names of the custom search attributes operators filter by in the Temporal UI. The same names
// are registered with the server from temporal-config/search-attributes.json.

export const CoachIdAttr = defineSearchAttributeKey('CoachId', SearchAttributeType.KEYWORD);
export const UserIdAttr = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const DomainStatusAttr = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);
export const BookingIdAttr = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const VideoIdAttr = defineSearchAttributeKey('VideoId', SearchAttributeType.KEYWORD);
export const CourseIdAttr = defineSearchAttributeKey('CourseId', SearchAttributeType.KEYWORD);
export const PaidSessionIdAttr = defineSearchAttributeKey('PaidSessionId', SearchAttributeType.KEYWORD);
export const PayoutIdAttr = defineSearchAttributeKey('PayoutId', SearchAttributeType.KEYWORD);
export const PurchaseIdAttr = defineSearchAttributeKey('PurchaseId', SearchAttributeType.KEYWORD);

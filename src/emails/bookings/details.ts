import { buildIcs } from '../../domain/bookings/ics';
import { format as formatMoney, money } from '../../domain/shared/money';
import { formatInZone, isValidTimeZone, utcToZonedParts } from '../../domain/shared/timezone';
import type { RenderedEmail } from '../layout';

// What every booking email knows, and the pieces they share: the session time written in the
// recipient's zone with the zone named (Cal.com's users got times in the wrong zone), and the
// iCalendar invite with a UID that stays the same for the life of the booking.

export interface BookingPerson {
  name: string;
  email: string;
}

export interface BookingEmailData {
  bookingId: string;
  serviceTitle: string;
  coach: BookingPerson & { timeZone: string };
  /** timeZone: the zone the athlete asked for; null = show the coach's. */
  athlete: BookingPerson & { timeZone: string | null };
  /** UTC ISO instants. */
  start: string;
  end: string;
  price: { amountMinor: number; currency: string } | null;
  /** iCalendar SEQUENCE of this message's invite. */
  sequence: number;
  /** When the workflow decided to send it (the invite's DTSTAMP); fixed so a retry renders the same. */
  issuedAt: string;
}

export type Recipient = 'athlete' | 'coach';

export function recipientZone(data: BookingEmailData, who: Recipient): string {
  const zone = who === 'athlete' ? (data.athlete.timeZone ?? data.coach.timeZone) : data.coach.timeZone;
  return isValidTimeZone(zone) ? zone : 'UTC';
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "Tuesday 1 December 2026": built from zoned fields, not locale data, so it never varies with ICU. */
function dayText(date: Date, timeZone: string): string {
  const p = utcToZonedParts(date, timeZone);
  return `${WEEKDAYS[p.weekday]} ${p.day} ${MONTHS[p.month - 1]} ${p.year}`;
}

/** "Tuesday 1 December 2026, 09:00–10:00 (Europe/London, UTC+00:00)"; crossing midnight names both days. */
export function formatSessionTime(startIso: string, endIso: string, timeZone: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const s = formatInZone(start, timeZone); // 2026-12-01T09:00:00+00:00
  const e = formatInZone(end, timeZone);
  const startDay = dayText(start, timeZone);
  const endDay = dayText(end, timeZone);
  const offset = s.slice(19);
  const endPart = endDay === startDay ? e.slice(11, 16) : `${endDay}, ${e.slice(11, 16)}`;
  return `${startDay}, ${s.slice(11, 16)}–${endPart} (${timeZone}, UTC${offset})`;
}

/** The session time for this recipient; the coach also sees the athlete's time when it differs. */
export function whenFor(data: BookingEmailData, who: Recipient): string {
  const zone = recipientZone(data, who);
  const mine = formatSessionTime(data.start, data.end, zone);
  const athleteZone = recipientZone(data, 'athlete');
  if (who === 'coach' && athleteZone !== zone) {
    return `${mine}; for ${data.athlete.name}: ${formatSessionTime(data.start, data.end, athleteZone)}`;
  }
  return mine;
}

export function priceText(data: BookingEmailData): string | null {
  return data.price && data.price.amountMinor > 0
    ? formatMoney(money(data.price.amountMinor, data.price.currency))
    : null;
}

function bookingUid(bookingId: string): string {
  return `booking-${bookingId}@coachflow`;
}

/**
 * The invite (REQUEST) or its withdrawal (CANCEL) as the message's text/calendar part (nodemailer
 * `icalEvent`, which mail clients show as an invitation and also list as invite.ics). One calendar
 * part only: a second copy as a plain attachment makes some clients offer the event twice.
 */
export function bookingInvite(
  data: BookingEmailData,
  method: 'REQUEST' | 'CANCEL',
): Pick<RenderedEmail, 'icalEvent'> {
  const content = buildIcs({
    uid: bookingUid(data.bookingId),
    sequence: data.sequence,
    method,
    start: new Date(data.start),
    end: new Date(data.end),
    timeZone: recipientZone(data, 'coach'),
    summary: `${data.serviceTitle}: ${data.coach.name} with ${data.athlete.name}`,
    description: `${data.serviceTitle} booked on CoachFlow (booking ${data.bookingId}).`,
    organizer: { name: data.coach.name, email: data.coach.email },
    attendee: { name: data.athlete.name, email: data.athlete.email },
    now: new Date(data.issuedAt),
  });
  return { icalEvent: { method, content } };
}

export const counterpart = (data: BookingEmailData, who: Recipient): string =>
  who === 'athlete' ? data.coach.name : data.athlete.name;

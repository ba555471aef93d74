// iCalendar (RFC 5545) invitations and cancellations (RFC 5546 iTIP methods).
// Times are written in UTC with a 'Z' suffix: unambiguous for every client and needs no VTIMEZONE.
// The coach's zone is carried in X-WR-TIMEZONE so clients that honour it display it sensibly.

import { isValidTimeZone } from '../shared/timezone';

export interface IcsPerson {
  name: string;
  email: string;
}

export interface IcsInput {
  /** Stable across updates/cancellation of the same booking, so clients replace the event. */
  uid: string;
  /** Incremented on each change to the event (RFC 5545 SEQUENCE). */
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  start: Date;
  end: Date;
  timeZone: string;
  summary: string;
  description: string;
  organizer: IcsPerson;
  attendee: IcsPerson;
  /** Becomes DTSTAMP; passed in to keep this function pure. */
  now: Date;
}

const CRLF = '\r\n';
const MAX_OCTETS = 75;
const encoder = new TextEncoder();

/** 20260329T080000Z */
function icsUtc(date: Date): string {
  if (!Number.isFinite(date.getTime())) throw new RangeError('Invalid date');
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newlines. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''); // other controls are not allowed at all
}

/** Parameter values cannot contain DQUOTE or controls; quote them when they contain : ; , */
function paramValue(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f"]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

function mailto(email: string): string {
  // A CR/LF or space in an address would let it inject properties; reject rather than mangle.
  if (!/^[^\s<>"@]+@[^\s<>"@]+$/.test(email)) throw new RangeError(`Invalid email address: ${email}`);
  return `mailto:${email}`;
}

/**
 * Folds a content line so no physical line exceeds 75 octets (excluding CRLF). Continuation
 * lines start with a space, which counts toward their 75. Splits only between code points so
 * multi-byte UTF-8 characters are never cut in half.
 */
export function foldLine(line: string): string {
  if (encoder.encode(line).length <= MAX_OCTETS) return line;
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

export function buildIcs(input: IcsInput): string {
  const { method, organizer, attendee } = input;
  if (!isValidTimeZone(input.timeZone)) throw new RangeError(`Invalid IANA time zone: ${input.timeZone}`);
  if (!Number.isInteger(input.sequence) || input.sequence < 0) {
    throw new RangeError(`sequence must be a non-negative integer, got ${input.sequence}`);
  }
  if (!(input.end.getTime() > input.start.getTime())) throw new RangeError('end must be after start');
  const cancel = method === 'CANCEL';

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Coachflow//Bookings//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${method}`,
    `X-WR-TIMEZONE:${escapeText(input.timeZone)}`,
    'BEGIN:VEVENT',
    `UID:${escapeText(input.uid)}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTAMP:${icsUtc(input.now)}`,
    `DTSTART:${icsUtc(input.start)}`,
    `DTEND:${icsUtc(input.end)}`,
    `SUMMARY:${escapeText(input.summary)}`,
    `DESCRIPTION:${escapeText(input.description)}`,
    `ORGANIZER;CN=${paramValue(organizer.name)}:${mailto(organizer.email)}`,
    `ATTENDEE;CN=${paramValue(attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=${cancel ? 'FALSE' : 'TRUE'}:${mailto(attendee.email)}`,
    `STATUS:${cancel ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildIcs, escapeText, foldLine, type IcsInput } from '../../../src/domain/bookings/ics';

const input = (over: Partial<IcsInput> = {}): IcsInput => ({
  uid: 'booking-42@coachflow.app',
  sequence: 0,
  method: 'REQUEST',
  start: new Date('2026-03-29T08:00:00Z'),
  end: new Date('2026-03-29T09:00:00Z'),
  timeZone: 'Europe/London',
  summary: 'Tennis lesson',
  description: 'Bring your racket',
  organizer: { name: 'Coach Carter', email: 'coach@example.com' },
  attendee: { name: 'Ann Athlete', email: 'ann@example.com' },
  now: new Date('2026-03-01T12:34:56Z'),
  ...over,
});

interface Prop {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** Minimal RFC 5545 reader: unfold, split on CRLF, split name/params/value, unescape TEXT. */
function parse(ics: string): Prop[] {
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  expect(unfolded.endsWith('\r\n')).toBe(true);
  return unfolded
    .slice(0, -2)
    .split('\r\n')
    .map((line) => {
      // The name and parameters end at the first ':' outside double quotes.
      let inQuotes = false;
      let colon = -1;
      for (let i = 0; i < line.length; i++) {
        if (line[i] === '"') inQuotes = !inQuotes;
        else if (line[i] === ':' && !inQuotes) {
          colon = i;
          break;
        }
      }
      const [name, ...rawParams] = line.slice(0, colon).split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      const params: Record<string, string> = {};
      for (const p of rawParams) {
        const eq = p.indexOf('=');
        params[p.slice(0, eq)] = p.slice(eq + 1).replace(/^"(.*)"$/, '$1');
      }
      return { name: name!, params, value: line.slice(colon + 1) };
    });
}
const unescape = (v: string) =>
  v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
const get = (props: Prop[], name: string) => {
  const found = props.filter((p) => p.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
const octets = (s: string) => Buffer.byteLength(s, 'utf8');

describe('buildIcs', () => {
  it('builds a REQUEST with UTC times, the zone hint, and CRLF line endings', () => {
    const ics = buildIcs(input());
    expect(ics).not.toMatch(/[^\r]\n/);
    expect(ics.endsWith('\r\n')).toBe(true);
    const props = parse(ics);
    expect(props.map((p) => p.name)).toEqual([
      'BEGIN',
      'VERSION',
      'PRODID',
      'CALSCALE',
      'METHOD',
      'X-WR-TIMEZONE',
      'BEGIN',
      'UID',
      'SEQUENCE',
      'DTSTAMP',
      'DTSTART',
      'DTEND',
      'SUMMARY',
      'DESCRIPTION',
      'ORGANIZER',
      'ATTENDEE',
      'STATUS',
      'TRANSP',
      'END',
      'END',
    ]);
    expect(get(props, 'VERSION').value).toBe('2.0');
    expect(get(props, 'METHOD').value).toBe('REQUEST');
    expect(get(props, 'X-WR-TIMEZONE').value).toBe('Europe/London');
    expect(get(props, 'UID').value).toBe('booking-42@coachflow.app');
    expect(get(props, 'SEQUENCE').value).toBe('0');
    expect(get(props, 'DTSTAMP').value).toBe('20260301T123456Z');
    expect(get(props, 'DTSTART').value).toBe('20260329T080000Z');
    expect(get(props, 'DTSTART').params).toEqual({});
    expect(get(props, 'DTEND').value).toBe('20260329T090000Z');
    expect(get(props, 'STATUS').value).toBe('CONFIRMED');
    expect(get(props, 'ORGANIZER')).toEqual({
      name: 'ORGANIZER',
      params: { CN: 'Coach Carter' },
      value: 'mailto:coach@example.com',
    });
    const attendee = get(props, 'ATTENDEE');
    expect(attendee.value).toBe('mailto:ann@example.com');
    expect(attendee.params).toMatchObject({ CN: 'Ann Athlete', ROLE: 'REQ-PARTICIPANT', RSVP: 'TRUE' });
    expect(props.filter((p) => p.name === 'BEGIN').map((p) => p.value)).toEqual(['VCALENDAR', 'VEVENT']);
  });

  it('builds a CANCEL for the same UID with a higher sequence and STATUS:CANCELLED', () => {
    const props = parse(buildIcs(input({ method: 'CANCEL', sequence: 3 })));
    expect(get(props, 'METHOD').value).toBe('CANCEL');
    expect(get(props, 'STATUS').value).toBe('CANCELLED');
    expect(get(props, 'SEQUENCE').value).toBe('3');
    expect(get(props, 'UID').value).toBe('booking-42@coachflow.app');
  });

  it('is deterministic: DTSTAMP comes from `now`, nothing from the clock', () => {
    expect(buildIcs(input())).toBe(buildIcs(input()));
    expect(get(parse(buildIcs(input({ now: new Date('2027-01-02T03:04:05.678Z') }))), 'DTSTAMP').value).toBe(
      '20270102T030405Z',
    );
  });

  it('escapes TEXT values', () => {
    const summary = 'Back\\hand; serve, volley';
    const description = 'Line 1\nLine 2\r\nLine 3';
    const props = parse(buildIcs(input({ summary, description })));
    expect(get(props, 'SUMMARY').value).toBe('Back\\\\hand\\; serve\\, volley');
    expect(unescape(get(props, 'SUMMARY').value)).toBe(summary);
    expect(unescape(get(props, 'DESCRIPTION').value)).toBe('Line 1\nLine 2\nLine 3');
    expect(escapeText('a\u0007b')).toBe('ab');
  });

  it('quotes parameter values containing separators and strips quotes', () => {
    const props = parse(
      buildIcs(input({ organizer: { name: 'Carter, "Coach"; Jr: PhD', email: 'coach@example.com' } })),
    );
    expect(get(props, 'ORGANIZER').params.CN).toBe('Carter, Coach; Jr: PhD');
    expect(get(props, 'ORGANIZER').value).toBe('mailto:coach@example.com');
  });

  it('folds long lines at 75 octets without splitting multi-byte characters', () => {
    const description =
      'Échauffement 🎾 puis exercices de service — ' + 'très bien! '.repeat(40) + '🏆'.repeat(30);
    const ics = buildIcs(input({ description }));
    for (const line of ics.split('\r\n')) {
      expect(octets(line)).toBeLessThanOrEqual(75);
      expect(line).not.toContain('\uFFFD');
      expect(line).not.toMatch(/[\uD800-\uDBFF]$|^[ ]?[\uDC00-\uDFFF]/); // no half surrogate pairs
    }
    expect(ics.split('\r\n').some((l) => l.startsWith(' '))).toBe(true);
    expect(unescape(get(parse(ics), 'DESCRIPTION').value)).toBe(description);
  });

  it('rejects header injection and invalid input', () => {
    expect(() =>
      buildIcs(input({ attendee: { name: 'x', email: 'a@b.c\r\nATTENDEE:mailto:evil@x.y' } })),
    ).toThrow(RangeError);
    expect(() => buildIcs(input({ timeZone: 'Not/AZone' }))).toThrow(RangeError);
    expect(() => buildIcs(input({ sequence: -1 }))).toThrow(RangeError);
    expect(() => buildIcs(input({ end: new Date('2026-03-29T08:00:00Z') }))).toThrow(RangeError);
    // Newlines in a name are stripped, so they cannot start a new property either.
    const props = parse(
      buildIcs(input({ attendee: { name: 'Ann\r\nSTATUS:CANCELLED', email: 'ann@example.com' } })),
    );
    expect(props.filter((p) => p.name === 'STATUS')).toHaveLength(1);
  });
});

describe('foldLine', () => {
  it('leaves short lines alone and folds exactly at the limit', () => {
    expect(foldLine('A'.repeat(75))).toBe('A'.repeat(75));
    expect(foldLine('A'.repeat(76))).toBe(`${'A'.repeat(75)}\r\n A`);
    expect(foldLine('A'.repeat(75 + 74 + 1))).toBe(`${'A'.repeat(75)}\r\n ${'A'.repeat(74)}\r\n A`);
  });
});

describe('properties', () => {
  const text = fc.string({
    unit: fc.oneof(
      fc.constantFrom(',', ';', '\\', '\n', ':', '"', ' '),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 300,
  });
  const safe = (s: string) => s.replace(/\r\n|\r/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');

  it('any summary/description round-trips and every physical line is ≤ 75 octets', () => {
    fc.assert(
      fc.property(
        text,
        text,
        fc.constantFrom<'REQUEST' | 'CANCEL'>('REQUEST', 'CANCEL'),
        (summary, description, method) => {
          const ics = buildIcs(input({ summary, description, method }));
          for (const line of ics.split('\r\n')) expect(octets(line)).toBeLessThanOrEqual(75);
          expect(ics).not.toMatch(/[^\r]\n|\r[^\n]/);
          const props = parse(ics);
          expect(unescape(get(props, 'SUMMARY').value)).toBe(safe(summary));
          expect(unescape(get(props, 'DESCRIPTION').value)).toBe(safe(description));
          expect(get(props, 'STATUS').value).toBe(method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED');
        },
      ),
      { numRuns: 300 },
    );
  });
});

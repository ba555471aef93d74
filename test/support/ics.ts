// A strict little iCalendar reader for tests: unfolds lines (RFC 5545 §3.1), checks BEGIN/END
// nesting and CRLF line ends, and returns each component's properties.

export interface IcsComponent {
  name: string;
  props: Map<string, { params: Record<string, string>; value: string }[]>;
  children: IcsComponent[];
}

export function parseIcs(text: string): IcsComponent {
  if (!text.endsWith('\r\n')) throw new Error('iCalendar text must end with CRLF');
  if (/(?<!\r)\n/.test(text)) throw new Error('iCalendar lines must end with CRLF');
  const lines = text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l) => l.length > 0);
  const stack: IcsComponent[] = [];
  let root: IcsComponent | undefined;
  for (const line of lines) {
    const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    if (colon < 0) throw new Error(`not a content line: ${line}`);
    const [name, ...paramParts] = line.slice(0, colon).split(';');
    const value = line.slice(colon + 1);
    if (name === 'BEGIN') {
      const c: IcsComponent = { name: value, props: new Map(), children: [] };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(c);
      else root = c;
      stack.push(c);
      continue;
    }
    if (name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== value)
        throw new Error(`END:${value} does not close ${open?.name ?? 'anything'}`);
      continue;
    }
    const current = stack[stack.length - 1];
    if (!current) throw new Error(`property outside a component: ${line}`);
    const params = Object.fromEntries(paramParts.map((p) => p.split('=') as [string, string]));
    const list = current.props.get(name!) ?? [];
    list.push({ params, value });
    current.props.set(name!, list);
  }
  if (stack.length > 0 || !root) throw new Error('unterminated calendar');
  return root;
}

export function icsEvent(text: string) {
  const cal = parseIcs(text);
  const event = cal.children.find((c) => c.name === 'VEVENT');
  if (!event) throw new Error('no VEVENT');
  const one = (c: IcsComponent, key: string) => c.props.get(key)?.[0]?.value;
  return {
    method: one(cal, 'METHOD'),
    uid: one(event, 'UID'),
    sequence: Number(one(event, 'SEQUENCE')),
    status: one(event, 'STATUS'),
    dtstart: one(event, 'DTSTART'),
    dtend: one(event, 'DTEND'),
    organizer: one(event, 'ORGANIZER'),
    attendee: one(event, 'ATTENDEE'),
  };
}

/** 2026-12-01T09:00:00.000Z → 20261201T090000Z */
export const icsTime = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

import { setTimeout as sleep } from 'node:timers/promises';

// Reads messages back from the Mailpit SMTP sink over its HTTP API.

export interface MailSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: { Address: string; Name: string }[];
  From: { Address: string; Name: string };
  Created: string;
  Attachments: number;
}

/** A whole message: Mailpit lists attachments (with their part ids) where the summary counts them. */
export interface MailMessage extends Omit<MailSummary, 'Attachments'> {
  Text: string;
  HTML: string;
  Attachments: { PartID: string; FileName: string; ContentType: string; Size: number }[];
}

function viewer(): string {
  return process.env.MAIL_VIEWER_URL ?? 'http://127.0.0.1:8025';
}

export async function messagesTo(address: string): Promise<MailSummary[]> {
  const url = `${viewer()}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`mailpit search failed: ${res.status}`);
  const body = (await res.json()) as { messages: MailSummary[] };
  return body.messages;
}

/** Waits until `count` messages to `address` (optionally matching the subject) have arrived. */
export async function waitForMessages(
  address: string,
  opts: { count?: number; subject?: RegExp; timeoutMs?: number } = {},
): Promise<MailSummary[]> {
  const count = opts.count ?? 1;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let found: MailSummary[] = [];
  while (Date.now() < deadline) {
    found = (await messagesTo(address)).filter((m) => !opts.subject || opts.subject.test(m.Subject));
    if (found.length >= count) return found;
    await sleep(250);
  }
  throw new Error(
    `expected ${count} message(s) to ${address}${opts.subject ? ` matching ${opts.subject}` : ''}, found ${found.length}`,
  );
}

export async function readMessage(id: string): Promise<MailMessage> {
  const res = await fetch(`${viewer()}/api/v1/message/${id}`);
  if (!res.ok) throw new Error(`mailpit read failed: ${res.status}`);
  return (await res.json()) as MailMessage;
}

export async function readAttachment(messageId: string, partId: string): Promise<string> {
  const res = await fetch(`${viewer()}/api/v1/message/${messageId}/part/${partId}`);
  if (!res.ok) throw new Error(`mailpit attachment failed: ${res.status}`);
  return res.text();
}

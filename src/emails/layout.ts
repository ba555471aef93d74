/** Shared HTML frame and escaping for every email; templates supply the inner content. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}

export function layout(title: string, paragraphs: string[], action?: { label: string; url: string }): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 12px">${escapeHtml(p)}</p>`).join('\n');
  const button = action
    ? `<p style="margin:20px 0"><a href="${escapeHtml(action.url)}" style="background:#0b5fff;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(action.label)}</a></p>`
    : '';
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1a1a1a;max-width:560px;margin:auto;padding:24px">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>
${body}
${button}
<p style="color:#777;font-size:12px;margin-top:32px">CoachFlow</p>
</body></html>`;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** e.g. an .ics invite: { filename: 'invite.ics', content, contentType: 'text/calendar; method=REQUEST' } */
  attachments?: { filename: string; content: string; contentType: string }[];
  /** For text/calendar alternatives that mail clients render as an invitation. */
  icalEvent?: { method: 'REQUEST' | 'CANCEL'; content: string };
}

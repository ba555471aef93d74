import { layout, type RenderedEmail } from '../layout';

export interface VideoFailedData {
  coachName: string;
  sessionTitle: string;
  filename: string;
  /** Written for the coach (src/domain/videos/status.ts). */
  reason: string;
  /** Whether POST …/retry can help, or the file must be uploaded again. */
  retryable: boolean;
  link: string;
}

/** Sent when a video could not be processed, with the reason and what to do next. */
export function videoFailedEmail(d: VideoFailedData): RenderedEmail {
  const subject = `Video could not be processed: ${d.sessionTitle}`;
  const lines = [
    `Hi ${d.coachName},`,
    `We could not process your video "${d.filename}" for "${d.sessionTitle}".`,
    d.reason,
    d.retryable
      ? 'Your upload is kept, so you can retry it from the session.'
      : 'Please upload the video again from the session.',
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nOpen the session: ${d.link}\n`,
    html: layout('Your video could not be processed', lines, { label: 'Open the session', url: d.link }),
  };
}

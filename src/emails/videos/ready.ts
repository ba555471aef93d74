import { layout, type RenderedEmail } from '../layout';

export interface VideoReadyData {
  coachName: string;
  sessionTitle: string;
  filename: string;
  /** e.g. "4:05" */
  duration: string;
  renditions: string[];
  /** e.g. "AI analysis: 5 key moments" or "Analysis skipped: monthly AI report limit reached" */
  analysisLine: string;
  link: string;
}

/** Sent once per video when it is ready to watch and its analysis report is available. */
export function videoReadyEmail(d: VideoReadyData): RenderedEmail {
  const subject = `Video ready: ${d.sessionTitle}`;
  const lines = [
    `Hi ${d.coachName},`,
    `Your video "${d.filename}" for "${d.sessionTitle}" is ready to watch (${d.duration}, ${d.renditions.join(' / ')}).`,
    `${d.analysisLine}.`,
    'Open it to review the key moments, add notes and drawings, and share clips with your players.',
  ];
  return {
    subject,
    text: `${lines.join('\n\n')}\n\nOpen the video: ${d.link}\n`,
    html: layout('Your video analysis is ready', lines, { label: 'Open the video', url: d.link }),
  };
}

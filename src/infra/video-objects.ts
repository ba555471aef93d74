// Where a video's media lives: its S3 object keys and a media worker's scratch folders.

/** Object keys are deterministic, so a retried step overwrites instead of duplicating. */
export const videoKeys = {
  prefix: (videoId: string) => `videos/${videoId}/`,
  source: (videoId: string, container: 'mp4' | 'mov') => `videos/${videoId}/source.${container}`,
  rendition: (videoId: string, label: string) => `videos/${videoId}/renditions/${label}.mp4`,
  poster: (videoId: string) => `videos/${videoId}/poster.jpg`,
  analysis: (videoId: string) => `videos/${videoId}/analysis/report.json`,
  /** A key-moment frame named in the analysis report (`frame` is relative to analysis/). */
  analysisFile: (videoId: string, name: string) => `videos/${videoId}/analysis/${name}`,
  framesPrefix: (videoId: string) => `videos/${videoId}/analysis/frames/`,
  frame: (videoId: string, index: number) =>
    `videos/${videoId}/analysis/frames/${String(index).padStart(2, '0')}.jpg`,
  clipPrefix: (videoId: string, clipId: string) => `videos/${videoId}/clips/${clipId}/`,
  clip: (videoId: string, clipId: string) => `videos/${videoId}/clips/${clipId}/clip.mp4`,
  clipPoster: (videoId: string, clipId: string) => `videos/${videoId}/clips/${clipId}/poster.jpg`,
};

/** Where temporary media files live on a media worker; one folder per video (or clip) and step. */
export function mediaTempRoot(tmp: string): string {
  return `${tmp.replace(/\/+$/, '')}/coachflow-media`;
}

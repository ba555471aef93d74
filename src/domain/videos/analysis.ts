/**
 * The analysis report a coach gets with every ready video: summary, key moments (timestamped, typed
 * key_moment / form_issue / highlight) and coaching points. Written by an AI model when one is
 * configured — its answer is validated here before anyone sees it — or from the ffmpeg signals alone,
 * and then the report says so. Pure: the caller passes the clock reading and does the I/O.
 */
import { z } from 'zod';
import { formatDuration } from './ladder';
import type { Candidate, SignalSummary } from './signals';

export const REPORT_MOMENT_TYPES = ['key_moment', 'form_issue', 'highlight'] as const;
export type ReportMomentType = (typeof REPORT_MOMENT_TYPES)[number];

/**
 * What the model must answer (OpenAI structured outputs: every field required, no extra keys).
 * Bounds are checked after parsing (normaliseAiReport) rather than in the JSON schema, which keeps
 * the schema within what OpenAI-compatible servers accept.
 */
export const AiReportSchema = z
  .object({
    summary: z
      .string()
      .describe('Two to four sentences for the coach: what the video shows and the main takeaway.'),
    key_moments: z
      .array(
        z
          .object({
            at_seconds: z.number().describe('Time in the video, in seconds from the start.'),
            type: z.enum(REPORT_MOMENT_TYPES),
            title: z.string().describe('A few words, e.g. "Front foot lands early".'),
            detail: z.string().describe('One or two sentences on what to look at and why.'),
          })
          .strict(),
      )
      .describe('The moments worth reviewing, in time order.'),
    coaching_points: z.array(z.string()).describe('Short, actionable points for the next session.'),
  })
  .strict();
export type AiReport = z.infer<typeof AiReportSchema>;

export interface ReportMoment {
  at_seconds: number;
  type: ReportMomentType;
  title: string;
  detail: string;
  /** Key of the extracted frame under the video's analysis folder, when one is near this moment. */
  frame: string | null;
}

export interface AnalysisReport {
  version: 1;
  source: 'ai' | 'signals';
  model: string | null;
  generated_at: string;
  /** Set whenever the report is not the full AI report, saying why in plain words. */
  note: string | null;
  duration_seconds: number;
  summary: string;
  key_moments: ReportMoment[];
  coaching_points: string[];
  signals: SignalSummary;
}

/** A candidate moment with the frame extracted for it. */
export interface FramedCandidate extends Candidate {
  frame: string | null;
}

export const LIMITS = {
  summary: 2000,
  title: 120,
  detail: 600,
  point: 300,
  moments: 20,
  points: 10,
} as const;

const clip = (text: string, max: number) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
};

function nearestFrame(at: number, candidates: readonly FramedCandidate[], within = 1.5): string | null {
  let best: FramedCandidate | undefined;
  for (const c of candidates) {
    if (!c.frame || Math.abs(c.atSeconds - at) > within) continue;
    if (!best || Math.abs(c.atSeconds - at) < Math.abs(best.atSeconds - at)) best = c;
  }
  return best?.frame ?? null;
}

export type NormaliseResult = { ok: true; report: AnalysisReport } | { ok: false; reason: string };

/**
 * Turns a parsed model answer into the stored report: moments outside the video are dropped,
 * text is trimmed to sane lengths, moments sorted and linked to the nearest extracted frame. An
 * answer with no summary, or whose every moment lies outside the video, is refused.
 */
export function normaliseAiReport(
  answer: unknown,
  ctx: {
    durationSeconds: number;
    candidates: readonly FramedCandidate[];
    signals: SignalSummary;
    model: string;
    generatedAt: string;
  },
): NormaliseResult {
  const parsed = AiReportSchema.safeParse(answer);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      reason: `the answer did not match the report format (${first ? `${first.path.join('.') || 'answer'}: ${first.message}` : 'invalid'})`,
    };
  }
  const a = parsed.data;
  const summary = clip(a.summary, LIMITS.summary);
  if (!summary) return { ok: false, reason: 'the answer had an empty summary' };
  const inside = a.key_moments.filter(
    (m) => Number.isFinite(m.at_seconds) && m.at_seconds >= 0 && m.at_seconds <= ctx.durationSeconds + 0.5,
  );
  if (a.key_moments.length > 0 && inside.length === 0)
    return { ok: false, reason: 'every key moment in the answer lies outside the video' };
  const key_moments = inside
    .map((m) => {
      const at = Math.round(Math.min(m.at_seconds, ctx.durationSeconds) * 100) / 100;
      return {
        at_seconds: at,
        type: m.type,
        title: clip(m.title, LIMITS.title) || 'Moment',
        detail: clip(m.detail, LIMITS.detail),
        frame: nearestFrame(at, ctx.candidates),
      };
    })
    .sort((x, y) => x.at_seconds - y.at_seconds)
    .slice(0, LIMITS.moments);
  const coaching_points = a.coaching_points
    .map((p) => clip(p, LIMITS.point))
    .filter(Boolean)
    .slice(0, LIMITS.points);
  return {
    ok: true,
    report: {
      version: 1,
      source: 'ai',
      model: ctx.model,
      generated_at: ctx.generatedAt,
      note: null,
      duration_seconds: ctx.durationSeconds,
      summary,
      key_moments,
      coaching_points,
      signals: ctx.signals,
    },
  };
}

export const NO_AI_NOTE =
  'No AI service is configured, so this report was produced from video signals only (scene changes, motion and audio peaks). The key moments are places worth reviewing, not judgements of technique.';

export function aiUnavailableNote(reason: string): string {
  return `The AI service could not produce this report (${reason}), so it was produced from video signals only (scene changes, motion and audio peaks). The key moments are places worth reviewing, not judgements of technique.`;
}

const MOMENT_TEXT: Record<Candidate['kind'], { type: ReportMomentType; title: string; detail: string }> = {
  scene_change: {
    type: 'key_moment',
    title: 'New shot or drill',
    detail: 'The picture changes completely here: a new camera angle, drill or repetition starts.',
  },
  motion_peak: {
    type: 'highlight',
    title: 'Burst of movement',
    detail: 'The most movement around this point: likely the action itself (a stroke, delivery or sprint).',
  },
  audio_peak: {
    type: 'highlight',
    title: 'Loud moment',
    detail: 'A sharp sound here, such as contact with the ball, a call or a whistle.',
  },
};

/** The report built from signals alone (no AI configured, over no budget, or the AI failed). */
export function signalsOnlyReport(ctx: {
  durationSeconds: number;
  candidates: readonly FramedCandidate[];
  signals: SignalSummary;
  generatedAt: string;
  note: string;
}): AnalysisReport {
  const moments = [...ctx.candidates].sort((a, b) => a.atSeconds - b.atSeconds);
  const key_moments: ReportMoment[] = moments.map((c) => ({
    at_seconds: c.atSeconds,
    type: MOMENT_TEXT[c.kind].type,
    title: MOMENT_TEXT[c.kind].title,
    detail: `${MOMENT_TEXT[c.kind].detail} Evidence: ${c.evidence}.`,
    frame: c.frame,
  }));
  const cuts = ctx.signals.sceneChanges;
  const parts = [
    `A ${formatDuration(ctx.durationSeconds)} video`,
    cuts.length === 0
      ? 'filmed as one continuous shot'
      : `with ${cuts.length} scene change${cuts.length > 1 ? 's' : ''} (${cuts.slice(0, 5).map(formatDuration).join(', ')}${cuts.length > 5 ? ', …' : ''})`,
  ];
  const loud = ctx.signals.audioPeaks.length;
  const summary =
    `${parts.join(' ')}. ${key_moments.length} moment${key_moments.length === 1 ? '' : 's'} stand${key_moments.length === 1 ? 's' : ''} out in the picture or sound` +
    `${loud > 0 ? `, including ${loud} sharp sound${loud > 1 ? 's' : ''}` : ''}. Review them frame by frame and add your notes.`;
  const first = key_moments[0];
  const coaching_points = [
    first
      ? `Start with the moment at ${formatDuration(first.at_seconds)} and step through it frame by frame.`
      : 'Step through the video frame by frame.',
    'Mark each repetition with a marker annotation so the athlete can jump straight to it.',
    'Turn the moments that matter into clips and share them with the athlete.',
  ];
  return {
    version: 1,
    source: 'signals',
    model: null,
    generated_at: ctx.generatedAt,
    note: ctx.note,
    duration_seconds: ctx.durationSeconds,
    summary,
    key_moments,
    coaching_points,
    signals: ctx.signals,
  };
}

/** The text part of the request to the model; frames are attached as images alongside it. */
export function analysisPrompt(ctx: {
  title: string;
  notes: string | null;
  durationSeconds: number;
  width: number;
  height: number;
  candidates: readonly FramedCandidate[];
  signals: SignalSummary;
}): { system: string; user: string } {
  const system =
    'You help sports coaches review training video. You receive measurements taken from the video ' +
    '(scene changes, motion intensity, loud sounds) and still frames at candidate moments. Write a ' +
    'short, concrete report for the coach. Only mention moments inside the video and only claim what ' +
    'the frames and measurements support; say when something needs the coach to check it. Answer in ' +
    'the JSON format requested.';
  const facts = {
    session_title: ctx.title,
    coach_notes: ctx.notes ?? '',
    duration_seconds: ctx.durationSeconds,
    picture: `${ctx.width}x${ctx.height}`,
    candidate_moments: ctx.candidates.map((c, i) => ({
      frame: c.frame ? i + 1 : null,
      at_seconds: c.atSeconds,
      evidence: c.evidence,
    })),
    scene_changes: ctx.signals.sceneChanges,
    average_motion: ctx.signals.averageMotion,
    loudest_db: ctx.signals.loudestDb,
  };
  const user =
    `Analyse this training video for the coach.\nMeasurements:\n${JSON.stringify(facts)}\n` +
    'The images that follow are the frames at the candidate moments, in the order listed (frame 1, 2, …). ' +
    'Use type "form_issue" for technique faults, "highlight" for good execution worth showing the athlete, ' +
    'and "key_moment" for anything else worth reviewing.';
  return { system, user };
}

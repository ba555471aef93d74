/**
 * Key-moment candidates from cheap ffmpeg signals: scene changes (the `scene` score of the select
 * filter), motion intensity (signalstats YDIF: mean absolute luma change between frames) and audio
 * peaks (astats RMS level per ~0.1 s window: a bat on ball, a shout, a whistle). Pure: parsing of
 * ffmpeg's `metadata=mode=print` output and the selection itself.
 */

export interface Sample {
  t: number;
  v: number;
}

/**
 * Parses the text ffmpeg's metadata/ametadata filters print:
 *   frame:50   pts:25600   pts_time:2
 *   lavfi.scene_score=0.730031
 * Values that are not numbers (e.g. "-inf" for digital silence) become -Infinity / skipped.
 */
export function parseMetadataPrint(text: string, key: string): Sample[] {
  const out: Sample[] = [];
  let t: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('frame:')) {
      const m = /pts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?)/i.exec(line);
      t = m ? Number(m[1]) : undefined;
    } else if (t !== undefined && line.startsWith(`${key}=`)) {
      const value = line.slice(key.length + 1).trim();
      const v = /^-?inf$/i.test(value) ? (value.startsWith('-') ? -Infinity : Infinity) : Number(value);
      if (!Number.isNaN(v)) out.push({ t, v });
    }
  }
  return out;
}

export interface Signals {
  durationSeconds: number;
  /** Per-frame scene-change score, 0..1. */
  scene: Sample[];
  /** Per-frame YDIF (0..255). */
  motion: Sample[];
  /** Per-window RMS level in dBFS (≤ 0; -Infinity for silence). */
  audio: Sample[];
}

export type CandidateKind = 'scene_change' | 'motion_peak' | 'audio_peak';

export interface Candidate {
  atSeconds: number;
  kind: CandidateKind;
  /** Strength, comparable across kinds: 0..1. */
  score: number;
  /** Human description of the evidence, for reports and prompts. */
  evidence: string;
}

export interface MomentOptions {
  maxMoments: number;
  /** Candidates closer than this are one moment (the strongest wins). */
  minGapSeconds: number;
  sceneThreshold: number;
}

export const DEFAULT_MOMENT_OPTIONS: MomentOptions = { maxMoments: 8, minGapSeconds: 2, sceneThreshold: 0.3 };

/** Averages samples into buckets of `width` seconds; empty buckets are left out. */
export function bucket(samples: readonly Sample[], width: number): Sample[] {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const s of samples) {
    if (!Number.isFinite(s.v)) continue;
    const k = Math.floor(s.t / width);
    const cur = sums.get(k) ?? { sum: 0, n: 0 };
    cur.sum += s.v;
    cur.n++;
    sums.set(k, cur);
  }
  return [...sums.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, { sum, n }]) => ({ t: k * width, v: sum / n }));
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/** Local maxima standing `zMin` standard deviations above the mean (and above `floor`). */
function peaks(
  series: readonly Sample[],
  zMin: number,
  floor: number,
): { t: number; v: number; z: number }[] {
  const finite = series.filter((s) => Number.isFinite(s.v));
  const { mean, std } = meanStd(finite.map((s) => s.v));
  if (std === 0) return [];
  const out: { t: number; v: number; z: number }[] = [];
  finite.forEach((s, i) => {
    const prev = finite[i - 1]?.v ?? -Infinity;
    const next = finite[i + 1]?.v ?? -Infinity;
    const z = (s.v - mean) / std;
    if (s.v >= prev && s.v > next && z >= zMin && s.v > floor) out.push({ ...s, z });
  });
  return out;
}

const squash = (z: number) => 1 - Math.exp(-Math.max(0, z) / 2);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Every candidate moment the signals support, strongest first. */
export function findCandidates(signals: Signals, opts: MomentOptions = DEFAULT_MOMENT_OPTIONS): Candidate[] {
  const candidates: Candidate[] = [];
  for (const s of signals.scene) {
    if (s.v >= opts.sceneThreshold) {
      candidates.push({
        atSeconds: s.t,
        kind: 'scene_change',
        score: Math.min(1, s.v),
        evidence: `scene change (score ${s.v.toFixed(2)})`,
      });
    }
  }
  // Motion per half second: single-frame spikes (a cut) are scene changes, not motion.
  const motion = bucket(signals.motion, 0.5);
  const sceneTimes = signals.scene.filter((s) => s.v >= opts.sceneThreshold).map((s) => s.t);
  for (const p of peaks(motion, 1.5, 1)) {
    if (sceneTimes.some((t) => Math.abs(t - p.t) < 0.75)) continue;
    candidates.push({
      atSeconds: p.t + 0.25,
      kind: 'motion_peak',
      score: squash(p.z) * 0.9,
      evidence: `burst of movement (${p.z.toFixed(1)}σ above this video's average)`,
    });
  }
  const audio = bucket(signals.audio, 0.25);
  for (const p of peaks(audio, 2, -30)) {
    candidates.push({
      atSeconds: p.t,
      kind: 'audio_peak',
      score: squash(p.z) * 0.8,
      evidence: `loud sound (${p.v.toFixed(0)} dBFS, ${p.z.toFixed(1)}σ above average)`,
    });
  }
  return candidates
    .filter((c) => c.atSeconds >= 0 && c.atSeconds <= signals.durationSeconds)
    .map((c) => ({ ...c, atSeconds: round2(c.atSeconds), score: round2(c.score) }))
    .sort((a, b) => b.score - a.score || a.atSeconds - b.atSeconds);
}

/**
 * The key moments: strongest candidates first, no two within `minGapSeconds`, at most `maxMoments`,
 * returned in time order. A video with no remarkable signal still gets one moment (its busiest
 * half-second, or the middle) so a coach always has somewhere to start.
 */
export function selectKeyMoments(
  signals: Signals,
  opts: MomentOptions = DEFAULT_MOMENT_OPTIONS,
): Candidate[] {
  const chosen: Candidate[] = [];
  for (const c of findCandidates(signals, opts)) {
    if (chosen.length >= opts.maxMoments) break;
    if (chosen.some((k) => Math.abs(k.atSeconds - c.atSeconds) < opts.minGapSeconds)) continue;
    chosen.push(c);
  }
  if (chosen.length === 0 && signals.durationSeconds > 0) {
    const busiest = [...bucket(signals.motion, 0.5)].sort((a, b) => b.v - a.v)[0];
    const at = busiest ? Math.min(busiest.t + 0.25, signals.durationSeconds) : signals.durationSeconds / 2;
    chosen.push({
      atSeconds: round2(at),
      kind: 'motion_peak',
      score: 0,
      evidence: busiest ? 'the busiest moment in an otherwise even video' : 'the middle of the video',
    });
  }
  return chosen.sort((a, b) => a.atSeconds - b.atSeconds);
}

export interface SignalSummary {
  durationSeconds: number;
  sceneChanges: number[];
  /** Mean motion per time slice (at most `points` slices), 0..255. */
  motionTimeline: Sample[];
  audioPeaks: Sample[];
  averageMotion: number;
  loudestDb: number | null;
}

/** A compact digest for reports and prompts (bounded in size whatever the video's length). */
export function summariseSignals(
  signals: Signals,
  points = 120,
  opts: MomentOptions = DEFAULT_MOMENT_OPTIONS,
): SignalSummary {
  const width = Math.max(0.5, signals.durationSeconds / points);
  const motionTimeline = bucket(signals.motion, width).map((s) => ({ t: round2(s.t), v: round2(s.v) }));
  const finiteAudio = signals.audio.filter((s) => Number.isFinite(s.v));
  const candidates = findCandidates(signals, opts);
  return {
    durationSeconds: round2(signals.durationSeconds),
    sceneChanges: candidates
      .filter((c) => c.kind === 'scene_change')
      .map((c) => c.atSeconds)
      .sort((a, b) => a - b)
      .slice(0, 100),
    motionTimeline,
    audioPeaks: candidates
      .filter((c) => c.kind === 'audio_peak')
      .map((c) => ({ t: c.atSeconds, v: c.score }))
      .slice(0, 50),
    averageMotion: round2(meanStd(signals.motion.filter((s) => Number.isFinite(s.v)).map((s) => s.v)).mean),
    loudestDb: finiteAudio.length ? round2(finiteAudio.reduce((m, s) => Math.max(m, s.v), -Infinity)) : null,
  };
}

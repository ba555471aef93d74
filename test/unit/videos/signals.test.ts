import { describe, expect, it } from 'vitest';
import {
  bucket,
  findCandidates,
  parseMetadataPrint,
  selectKeyMoments,
  summariseSignals,
  type Sample,
  type Signals,
} from '../../../src/domain/videos/signals';

const series = (duration: number, step: number, f: (t: number) => number): Sample[] =>
  Array.from({ length: Math.round(duration / step) }, (_, i) => ({
    t: Math.round(i * step * 1000) / 1000,
    v: f(i * step),
  }));

function quietVideo(duration = 20): Signals {
  return {
    durationSeconds: duration,
    scene: series(duration, 0.04, () => 0.01),
    motion: series(duration, 0.04, (t) => 2 + Math.sin(t) * 0.2),
    audio: series(duration, 0.1, (t) => -30 + Math.sin(t * 3)),
  };
}

describe('parseMetadataPrint', () => {
  it('reads ffmpeg metadata print output, including -inf silence', () => {
    const text = [
      'frame:0    pts:0       pts_time:0',
      'lavfi.scene_score=0.000000',
      'frame:50   pts:25600   pts_time:2',
      'lavfi.scene_score=0.730031',
      'frame:1    pts:4800    pts_time:0.108844',
      'lavfi.astats.Overall.RMS_level=-inf',
    ].join('\n');
    expect(parseMetadataPrint(text, 'lavfi.scene_score')).toEqual([
      { t: 0, v: 0 },
      { t: 2, v: 0.730031 },
    ]);
    expect(parseMetadataPrint(text, 'lavfi.astats.Overall.RMS_level')).toEqual([
      { t: 0.108844, v: -Infinity },
    ]);
  });
});

describe('key moments', () => {
  it('finds a hard scene cut', () => {
    const s = quietVideo(4);
    s.scene = s.scene.map((x) => (x.t === 2 ? { ...x, v: 0.73 } : x));
    s.motion = s.motion.map((x) => (x.t === 2 ? { ...x, v: 75 } : x));
    const moments = selectKeyMoments(s);
    expect(moments[0]).toMatchObject({ atSeconds: 2, kind: 'scene_change', score: 0.73 });
    // The cut's single-frame motion spike is the same moment, not a second one.
    expect(moments.filter((m) => Math.abs(m.atSeconds - 2) < 1)).toHaveLength(1);
  });

  it('finds bursts of movement and loud sounds', () => {
    const s = quietVideo(20);
    s.motion = s.motion.map((x) => (x.t >= 8 && x.t < 8.5 ? { ...x, v: 30 } : x));
    s.audio = s.audio.map((x) => (Math.abs(x.t - 14) < 0.05 ? { ...x, v: -3 } : x));
    const kinds = selectKeyMoments(s).map((m) => [m.kind, m.atSeconds]);
    expect(kinds).toContainEqual(['motion_peak', 8.25]);
    expect(kinds.find(([k]) => k === 'audio_peak')?.[1]).toBeCloseTo(14, 0);
  });

  it('keeps moments apart, caps their number, returns them in time order', () => {
    const s = quietVideo(60);
    s.scene = s.scene.map((x) =>
      Math.abs((x.t % 3) - 0) < 0.001 && x.t > 0 ? { ...x, v: 0.5 + x.t / 200 } : x,
    );
    const moments = selectKeyMoments(s, { maxMoments: 5, minGapSeconds: 5, sceneThreshold: 0.3 });
    expect(moments).toHaveLength(5);
    for (let i = 1; i < moments.length; i++) {
      expect(moments[i]!.atSeconds).toBeGreaterThan(moments[i - 1]!.atSeconds);
      expect(moments[i]!.atSeconds - moments[i - 1]!.atSeconds).toBeGreaterThanOrEqual(5);
    }
    // The strongest (latest, by construction) cuts win.
    expect(moments.at(-1)!.atSeconds).toBeGreaterThan(50);
  });

  it('still offers one moment in a video where nothing stands out', () => {
    const s: Signals = { durationSeconds: 10, scene: [], motion: [], audio: [] };
    expect(selectKeyMoments(s)).toEqual([
      { atSeconds: 5, kind: 'motion_peak', score: 0, evidence: 'the middle of the video' },
    ]);
  });

  it('ignores candidates outside the video and silence', () => {
    const s = quietVideo(5);
    s.scene.push({ t: 9, v: 0.9 });
    s.audio = s.audio.map((x) => ({ ...x, v: -Infinity }));
    expect(findCandidates(s).every((c) => c.atSeconds <= 5)).toBe(true);
  });
});

describe('summaries', () => {
  it('averages into buckets and stays small for long videos', () => {
    expect(
      bucket(
        [
          { t: 0, v: 1 },
          { t: 0.2, v: 3 },
          { t: 1.1, v: 5 },
        ],
        0.5,
      ),
    ).toEqual([
      { t: 0, v: 2 },
      { t: 1, v: 5 },
    ]);
    const long = quietVideo(3 * 3600);
    const summary = summariseSignals({ ...long, scene: long.scene.slice(0, 10) }, 120);
    expect(summary.motionTimeline.length).toBeLessThanOrEqual(121);
    expect(summary.loudestDb).toBeLessThanOrEqual(-29);
  });
});

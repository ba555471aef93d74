import { describe, expect, it } from 'vitest';
import {
  aiUnavailableNote,
  AiReportSchema,
  analysisPrompt,
  NO_AI_NOTE,
  normaliseAiReport,
  signalsOnlyReport,
  type FramedCandidate,
} from '../../../src/domain/videos/analysis';
import {
  failurePolicy,
  FAILURE_KINDS,
  notRetryableMessage,
  overallPercent,
  reservationDelta,
} from '../../../src/domain/videos/status';
import type { SignalSummary } from '../../../src/domain/videos/signals';

const signals: SignalSummary = {
  durationSeconds: 8,
  sceneChanges: [4],
  motionTimeline: [],
  audioPeaks: [],
  averageMotion: 3,
  loudestDb: -20,
};
const candidates: FramedCandidate[] = [
  {
    atSeconds: 4,
    kind: 'scene_change',
    score: 0.7,
    evidence: 'scene change (score 0.70)',
    frame: 'frames/0.jpg',
  },
  { atSeconds: 6.25, kind: 'motion_peak', score: 0.4, evidence: 'burst of movement', frame: 'frames/1.jpg' },
];
const ctx = {
  durationSeconds: 8,
  candidates,
  signals,
  model: 'test-model',
  generatedAt: '2026-11-24T18:00:00.000Z',
};

describe('AI report validation', () => {
  const answer = {
    summary: '  Two drills;   the second shows a late trigger movement. ',
    key_moments: [
      {
        at_seconds: 6.1,
        type: 'form_issue',
        title: 'Late trigger',
        detail: 'Back foot moves after release.',
      },
      { at_seconds: 4, type: 'key_moment', title: 'Drill two starts', detail: 'New angle.' },
      { at_seconds: 42, type: 'highlight', title: 'Outside the video', detail: 'dropped' },
    ],
    coaching_points: ['Trigger earlier', ''],
  };

  it('accepts a valid answer, drops moments outside the video, sorts and links frames', () => {
    const result = normaliseAiReport(answer, ctx);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.report).toMatchObject({
      source: 'ai',
      model: 'test-model',
      note: null,
      summary: 'Two drills; the second shows a late trigger movement.',
    });
    expect(result.report.key_moments).toEqual([
      {
        at_seconds: 4,
        type: 'key_moment',
        title: 'Drill two starts',
        detail: 'New angle.',
        frame: 'frames/0.jpg',
      },
      {
        at_seconds: 6.1,
        type: 'form_issue',
        title: 'Late trigger',
        detail: 'Back foot moves after release.',
        frame: 'frames/1.jpg',
      },
    ]);
    expect(result.report.coaching_points).toEqual(['Trigger earlier']);
  });

  it('refuses answers of the wrong shape, with the field named', () => {
    const bad = normaliseAiReport(
      { ...answer, key_moments: [{ at_seconds: 1, type: 'dismissal', title: 'x', detail: 'y' }] },
      ctx,
    );
    expect(bad).toMatchObject({ ok: false });
    if (!bad.ok) expect(bad.reason).toMatch(/key_moments\.0\.type/);
    expect(normaliseAiReport({ summary: 'x', key_moments: [], coaching_points: [], extra: 1 }, ctx).ok).toBe(
      false,
    );
    expect(normaliseAiReport({ summary: '  ', key_moments: [], coaching_points: [] }, ctx)).toEqual({
      ok: false,
      reason: 'the answer had an empty summary',
    });
    expect(normaliseAiReport({ ...answer, key_moments: [answer.key_moments[2]] }, ctx)).toEqual({
      ok: false,
      reason: 'every key moment in the answer lies outside the video',
    });
  });

  it('is a schema every OpenAI-compatible structured-output server can take (all fields required)', () => {
    expect(Object.keys(AiReportSchema.shape)).toEqual(['summary', 'key_moments', 'coaching_points']);
  });
});

describe('signals-only report', () => {
  it('says it comes from signals and why, and turns candidates into typed moments', () => {
    const report = signalsOnlyReport({
      durationSeconds: 8,
      candidates,
      signals,
      generatedAt: ctx.generatedAt,
      note: NO_AI_NOTE,
    });
    expect(report.source).toBe('signals');
    expect(report.model).toBeNull();
    expect(report.note).toMatch(
      /^No AI service is configured, so this report was produced from video signals only/,
    );
    expect(report.key_moments.map((m) => [m.at_seconds, m.type, m.frame])).toEqual([
      [4, 'key_moment', 'frames/0.jpg'],
      [6.25, 'highlight', 'frames/1.jpg'],
    ]);
    expect(report.summary).toMatch(/^A 0:08 video with 1 scene change \(0:04\)\. 2 moments stand out/);
    expect(report.coaching_points[0]).toBe(
      'Start with the moment at 0:04 and step through it frame by frame.',
    );
    expect(aiUnavailableNote('timeout')).toMatch(/^The AI service could not produce this report \(timeout\)/);
  });

  it('builds a prompt that carries the measurements and numbers the frames', () => {
    const prompt = analysisPrompt({
      title: 'Nets',
      notes: null,
      durationSeconds: 8,
      width: 640,
      height: 360,
      candidates,
      signals,
    });
    expect(prompt.user).toContain('"candidate_moments":[{"frame":1,"at_seconds":4');
    expect(prompt.system).toMatch(/sports coaches/);
  });
});

describe('lifecycle rules', () => {
  it('keeps uploads only for failures a retry can fix', () => {
    expect(FAILURE_KINDS.filter((k) => failurePolicy(k).retryable)).toEqual([
      'plan_required',
      'processing_error',
    ]);
    for (const k of FAILURE_KINDS) expect(failurePolicy(k).discardUpload).toBe(!failurePolicy(k).retryable);
    expect(notRetryableMessage('invalid_media')).toMatch(/upload the file again/);
  });

  it('maps stage progress onto one bar', () => {
    expect(overallPercent('validating')).toBe(0);
    expect(overallPercent('transcoding', 50)).toBe(45);
    expect(overallPercent('transcoding', 100)).toBe(85);
    expect(overallPercent('ready')).toBe(100);
    expect(overallPercent('failed', 50)).toBe(0);
  });

  it('reconciles a reservation with the real size', () => {
    expect(reservationDelta(1000, 1200)).toBe(200);
    expect(reservationDelta(1000, 800)).toBe(-200);
  });
});

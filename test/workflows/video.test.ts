import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectRenditions } from '../../src/domain/videos/ladder';
import { overallPercent, processingErrorReason } from '../../src/domain/videos/status';
import {
  uploadCompletedSignal,
  videoProgressQuery,
  videoProgressSignal,
  videoWorkflowType,
  type VideoWorkflow,
  type VideoWorkflowInput,
} from '../../workflows/videos/definitions';
import {
  eventually,
  recorded,
  startWorkflowTestEnv,
  type ActivityCall,
  type DefaultStubs,
  type MediaStubs,
  type WorkflowTestEnv,
} from '../support/temporal-env';

// The video workflow against stub activities on both queues: the default worker registers only the
// Postgres/S3/OpenAI/email stubs and the media worker only the ffmpeg ones, so a step sent to the
// wrong queue fails the test. Each test makes one activity of its video misbehave.

const DomainStatus = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);
const COACH_EMAIL = 'carla@example.test';
const SOURCE_BYTES = 48_000_000;
const DURATION = 12.5;
const renditions = selectRenditions({ width: 1280, height: 720, fps: 30 });
/** What the ready/failed notices share (the email itself is not this file's subject). */
const NOTICE = { coachName: 'Carla', sessionTitle: 'Session', filename: 'serve.mp4', link: 'http://app/v' };

/** Stubs for either queue (an override only replaces a stub its queue's happy set has). */
type AnyStubs = DefaultStubs & MediaStubs;
/** Per video: activities that behave differently from the happy path below. */
const overrides = new Map<string, AnyStubs>();
const calls: ActivityCall[] = [];

const happyDefault = {
  async startVideoRun({ videoId }) {
    return { videoId, sessionId: 'session-1', coachId: 'coach-1', sourceKey: `uploads/${videoId}`, run: 1 };
  },
  async inspectVideoUpload() {
    return { sizeBytes: SOURCE_BYTES, container: 'mp4' };
  },
  async markAnalysisFailed() {},
  async expireVideoUpload() {
    return 'failed';
  },
  async failVideo({ reason }) {
    return { template: 'video_failed', to: COACH_EMAIL, data: { ...NOTICE, reason, retryable: false } };
  },
  async finishVideo() {
    return {
      template: 'video_ready',
      to: COACH_EMAIL,
      data: { ...NOTICE, duration: '0:12', renditions: ['720p'], analysisLine: 'Analysis: signals only' },
    };
  },
  async deleteVideoData() {},
  async writeVideoAnalysis() {
    return { status: 'done', source: 'signals', reason: null };
  },
  async sendEmail() {
    return { sent: true, messageId: '<stub@coachflow>' };
  },
} satisfies DefaultStubs;

const happyMedia = {
  async probeVideoSource() {
    return {
      facts: {
        formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
        durationSeconds: DURATION,
        video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
        audio: { codec: 'aac' },
      },
      width: 1280,
      height: 720,
      renditions,
      posterAt: 2,
      hasAudio: true,
    };
  },
  async transcodeVideo({ videoId }) {
    return {
      renditions: renditions.map((r) => ({
        label: r.label,
        key: `videos/${videoId}/${r.label}.mp4`,
        width: r.width,
        height: r.height,
        bytes: 1000,
        videoKbps: r.videoKbps,
        audioKbps: r.audioKbps,
      })),
      posterKey: `videos/${videoId}/poster.jpg`,
    };
  },
  async extractVideoSignals() {
    return {
      candidates: [
        { kind: 'scene_change', atSeconds: 3, score: 0.8, evidence: 'scene change', frame: 'frame-0.jpg' },
      ],
      summary: {
        durationSeconds: DURATION,
        sceneChanges: [3],
        motionTimeline: [],
        audioPeaks: [],
        averageMotion: 4,
        loudestDb: -12,
      },
    };
  },
  async removeVideoTempFiles() {},
} satisfies MediaStubs;

/** Each stub asks the video's overrides first. */
function dispatch<T extends DefaultStubs | MediaStubs>(happy: T): T {
  type Fn = (input: { videoId?: string }) => Promise<unknown>;
  return Object.fromEntries(
    Object.entries(happy).map(([name, fn]: [string, Fn]) => [
      name,
      (input: { videoId?: string }) => {
        const override = overrides.get(input.videoId ?? '')?.[name as keyof AnyStubs] as Fn | undefined;
        return (override ?? fn)(input);
      },
    ]),
  ) as unknown as T;
}

const callsFor = (videoId: string) =>
  calls.filter((c) => {
    const first = c.args[0] as { videoId?: string; reference?: string };
    return first.videoId === videoId || first.reference?.startsWith(`video-${videoId}`);
  });
const named = (videoId: string, name: string) => callsFor(videoId).filter((c) => c.name === name);

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({
    defaultActivities: recorded(dispatch(happyDefault), calls),
    mediaActivities: recorded(dispatch(happyMedia), calls),
  });
});
afterAll(async () => {
  await t?.close();
});

/** A video whose upload has just completed (what the API does when the client finishes it). */
async function uploaded(misbehaving: AnyStubs = {}, over: Partial<VideoWorkflowInput> = {}) {
  const videoId = randomUUID();
  overrides.set(videoId, misbehaving);
  const h = await t.env.client.workflow.signalWithStart<VideoWorkflow, []>(videoWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `video-${videoId}`,
    args: [
      {
        videoId,
        coachId: 'coach-1',
        mode: 'upload',
        uploadTimeoutMs: 60_000,
        mediaTaskQueue: t.mediaTaskQueue,
        ...over,
      },
    ],
    signal: uploadCompletedSignal,
    signalArgs: [],
  });
  t.track(h);
  return { videoId, h };
}

const status = async (h: WorkflowHandle) =>
  (
    await eventually(
      () => h.describe(),
      (d) => ['READY', 'FAILED'].includes(d.typedSearchAttributes.get(DomainStatus) ?? ''),
    )
  ).typedSearchAttributes.get(DomainStatus);

const nonRetryable = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

describe.concurrent('video workflow (stub activities)', () => {
  it('success: validate, probe, transcode and analyse on the right queues, then READY and the coach told', async () => {
    let release!: () => void;
    const transcoding = new Promise<void>((done) => (release = done));
    const { videoId, h } = await uploaded({
      async transcodeVideo(input) {
        await transcoding;
        return happyMedia.transcodeVideo!(input);
      },
    });

    // Progress while the transcode runs: the media worker's signals move the query's answer.
    await eventually(
      () => h.query(videoProgressQuery),
      (p) => p.stage === 'transcoding',
    );
    await h.signal(videoProgressSignal, { stage: 'probing', percent: 90 }); // stale: ignored
    await h.signal(videoProgressSignal, { stage: 'transcoding', percent: 50 });
    expect(await h.query(videoProgressQuery)).toEqual({
      stage: 'transcoding',
      stagePercent: 50,
      percent: overallPercent('transcoding', 50),
    });
    release();

    expect(await h.result()).toBe('ready');
    expect(await h.query(videoProgressQuery)).toEqual({ stage: 'ready', stagePercent: 100, percent: 100 });
    expect(await status(h)).toBe('READY');
    expect(
      callsFor(videoId).map((c) => [c.name, c.taskQueue === t.mediaTaskQueue ? 'media' : 'default']),
    ).toEqual([
      ['startVideoRun', 'default'],
      ['inspectVideoUpload', 'default'],
      ['probeVideoSource', 'media'],
      ['transcodeVideo', 'media'],
      ['extractVideoSignals', 'media'],
      ['writeVideoAnalysis', 'default'],
      ['finishVideo', 'default'],
      ['sendEmail', 'default'],
    ]);
    expect(named(videoId, 'transcodeVideo')[0]!.args[0]).toEqual({
      videoId,
      sourceKey: `uploads/${videoId}`,
      sourceBytes: SOURCE_BYTES,
      durationSeconds: DURATION,
      renditions,
      posterAt: 2,
    });
    // Signals are extracted from the smallest rendition of at most 360 lines.
    const signalsInput = named(videoId, 'extractVideoSignals')[0]!.args[0] as {
      rendition: { height: number };
    };
    expect(signalsInput.rendition.height).toBe(360);
    expect(named(videoId, 'writeVideoAnalysis')[0]!.args[0]).toMatchObject({
      videoId,
      candidates: [{ kind: 'scene_change', atSeconds: 3 }],
    });
    expect(named(videoId, 'sendEmail')[0]!.args[0]).toMatchObject({
      reference: `video-${videoId}`,
      template: 'video_ready',
      to: COACH_EMAIL,
    });
  });

  it('validation failure: FAILED with the validator’s reason, nothing sent to the media queue', async () => {
    const reason = 'This file is 2.4 GB; videos can be at most 2 GB.';
    const { videoId, h } = await uploaded({
      async inspectVideoUpload() {
        throw nonRetryable('TooLarge', reason);
      },
    });
    expect(await h.result()).toBe('failed');
    expect(await status(h)).toBe('FAILED');
    expect((await h.query(videoProgressQuery)).stage).toBe('failed');
    expect(named(videoId, 'inspectVideoUpload')).toHaveLength(1);
    expect(named(videoId, 'failVideo').map((c) => c.args[0])).toEqual([
      { videoId, kind: 'too_large', reason },
    ]);
    expect(
      callsFor(videoId)
        .filter((c) => c.taskQueue === t.mediaTaskQueue)
        .map((c) => c.name),
    ).toEqual(['removeVideoTempFiles']);
    expect(named(videoId, 'sendEmail')[0]!.args[0]).toMatchObject({
      reference: `video-${videoId}-run-1`,
      template: 'video_failed',
      data: { reason },
    });
    expect(named(videoId, 'finishVideo')).toEqual([]);
  });

  it('transcode rejects the media: FAILED as invalid_media after one attempt, no analysis', async () => {
    const reason = 'The video could not be converted: it may be damaged.';
    const { videoId, h } = await uploaded({
      async transcodeVideo() {
        throw nonRetryable('InvalidMedia', reason);
      },
    });
    expect(await h.result()).toBe('failed');
    expect(named(videoId, 'transcodeVideo')).toHaveLength(1);
    expect(named(videoId, 'failVideo').map((c) => c.args[0])).toEqual([
      { videoId, kind: 'invalid_media', reason },
    ]);
    for (const never of ['extractVideoSignals', 'writeVideoAnalysis', 'finishVideo'])
      expect(named(videoId, never)).toEqual([]);
    expect(named(videoId, 'removeVideoTempFiles')).toHaveLength(1);
  });

  it('transcode keeps crashing: retried on the media queue, then FAILED as a processing error', async () => {
    const { videoId, h } = await uploaded({
      async transcodeVideo() {
        throw new Error('ffmpeg was killed by signal 9');
      },
    });
    expect(await h.result()).toBe('failed');
    const attempts = named(videoId, 'transcodeVideo');
    expect(attempts.map((c) => [c.attempt, c.taskQueue])).toEqual([
      [1, t.mediaTaskQueue],
      [2, t.mediaTaskQueue],
      [3, t.mediaTaskQueue],
    ]);
    expect(named(videoId, 'failVideo').map((c) => c.args[0])).toEqual([
      {
        videoId,
        kind: 'processing_error',
        reason: processingErrorReason('transcoding', 'ffmpeg was killed by signal 9'),
      },
    ]);
  });

  it('a failed analysis does not block the video: READY, the analysis marked failed', async () => {
    const { videoId, h } = await uploaded({
      async extractVideoSignals() {
        throw nonRetryable('SignalsFailed', 'no decodable frames');
      },
    });
    expect(await h.result()).toBe('ready');
    expect(named(videoId, 'markAnalysisFailed').map((c) => c.args[0])).toEqual([
      { videoId, reason: processingErrorReason('analysing', 'no decodable frames') },
    ]);
    expect(named(videoId, 'writeVideoAnalysis')).toEqual([]);
    expect(named(videoId, 'finishVideo')).toHaveLength(1);
  });

  it('an upload that never completes is stopped after the timeout', async () => {
    const videoId = randomUUID();
    const h = await t.env.client.workflow.start<VideoWorkflow>(videoWorkflowType, {
      taskQueue: t.taskQueue,
      workflowId: `video-${videoId}`,
      args: [
        {
          videoId,
          coachId: 'coach-1',
          mode: 'upload',
          uploadTimeoutMs: 3000,
          mediaTaskQueue: t.mediaTaskQueue,
        },
      ],
    });
    t.track(h);
    expect((await h.query(videoProgressQuery)).stage).toBe('awaiting_upload');
    expect(await h.result()).toBe('failed');
    const [expire] = named(videoId, 'expireVideoUpload');
    expect(expire!.args[0]).toMatchObject({ videoId, kind: 'upload_abandoned' });
    expect((expire!.args[0] as { reason: string }).reason).toMatch(
      /^The upload did not finish within 3 seconds,/,
    );
    expect(named(videoId, 'startVideoRun')).toEqual([]);
  });
});

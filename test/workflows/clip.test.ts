import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clipWorkflowType,
  deleteClipSignal,
  type ClipWorkflow,
  type ClipWorkflowInput,
} from '../../workflows/clips/definitions';
import {
  eventually,
  recorded,
  startWorkflowTestEnv,
  type ActivityCall,
  type DefaultStubs,
  type MediaStubs,
  type WorkflowTestEnv,
} from '../support/temporal-env';

// The clip workflow against stub activities: the trim runs on the media worker (which registers
// nothing else), the bookkeeping on the default one.

const DomainStatus = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);
const VIDEO_ID = 'video-1';
const rendition = {
  label: '720p',
  key: `videos/${VIDEO_ID}/720p.mp4`,
  width: 1280,
  height: 720,
  bytes: 9_000_000,
  videoKbps: 2500,
  audioKbps: 128,
};

/** Stubs for either queue (an override only replaces a stub its queue's happy set has). */
type AnyStubs = DefaultStubs & MediaStubs;
const overrides = new Map<string, AnyStubs>();
const calls: ActivityCall[] = [];

const trimmed = (clipId: string) => ({
  mode: 'copy' as const,
  startSeconds: 4,
  endSeconds: 9,
  key: `videos/${VIDEO_ID}/clips/${clipId}.mp4`,
  posterKey: `videos/${VIDEO_ID}/clips/${clipId}.jpg`,
  bytes: 400_000,
  durationSeconds: 5,
  width: 1280,
  height: 720,
});

const happyDefault = {
  async startClipRun({ clipId }) {
    return {
      clipId,
      videoId: VIDEO_ID,
      coachId: 'coach-1',
      rendition,
      fps: 30,
      durationSeconds: 60,
      range: { startSeconds: 4, endSeconds: 9 },
    };
  },
  async finishClip() {
    return 'ready';
  },
  async failClip() {},
  async deleteClipData() {},
} satisfies DefaultStubs;
const happyMedia = {
  async trimClip({ clipId }) {
    return trimmed(clipId);
  },
} satisfies MediaStubs;

function dispatch<T extends DefaultStubs | MediaStubs>(happy: T): T {
  type Fn = (input: { clipId?: string }) => Promise<unknown>;
  return Object.fromEntries(
    Object.entries(happy).map(([name, fn]: [string, Fn]) => [
      name,
      (input: { clipId?: string }) => {
        const override = overrides.get(input.clipId ?? '')?.[name as keyof AnyStubs] as Fn | undefined;
        return (override ?? fn)(input);
      },
    ]),
  ) as unknown as T;
}
const named = (clipId: string, name: string) =>
  calls.filter((c) => c.name === name && (c.args[0] as { clipId: string }).clipId === clipId);

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

async function startClip(misbehaving: AnyStubs = {}, over: Partial<ClipWorkflowInput> = {}) {
  const clipId = randomUUID();
  overrides.set(clipId, misbehaving);
  const h = await t.env.client.workflow.start<ClipWorkflow>(clipWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `clip-${clipId}`,
    args: [
      {
        clipId,
        videoId: VIDEO_ID,
        coachId: 'coach-1',
        mode: 'create',
        mediaTaskQueue: t.mediaTaskQueue,
        ...over,
      },
    ],
  });
  t.track(h);
  return { clipId, h };
}

const finalStatus = async (h: WorkflowHandle, expected: string) =>
  (
    await eventually(
      () => h.describe(),
      (d) => d.typedSearchAttributes.get(DomainStatus) === expected,
    )
  ).typedSearchAttributes.get(DomainStatus);

describe.concurrent('clip workflow (stub activities)', () => {
  it('trim success: cut on the media queue from the run’s rendition and range, then READY', async () => {
    const { clipId, h } = await startClip();
    expect(await h.result()).toBe('ready');
    const [trim] = named(clipId, 'trimClip');
    expect(trim!.taskQueue).toBe(t.mediaTaskQueue);
    expect(trim!.args[0]).toEqual({
      clipId,
      videoId: VIDEO_ID,
      rendition,
      range: { startSeconds: 4, endSeconds: 9 },
      fps: 30,
      durationSeconds: 60,
    });
    expect(named(clipId, 'finishClip').map((c) => c.args[0])).toEqual([
      { clipId, videoId: VIDEO_ID, result: trimmed(clipId) },
    ]);
    expect(named(clipId, 'failClip')).toEqual([]);
    expect(await finalStatus(h, 'READY')).toBe('READY');
  });

  it('trim refused (bad range): FAILED with the trim’s own reason after one attempt', async () => {
    const reason = 'The clip ends after the video does (at 61.0 s of 60.0 s).';
    const { clipId, h } = await startClip({
      async trimClip() {
        throw ApplicationFailure.create({ type: 'InvalidMedia', message: reason, nonRetryable: true });
      },
    });
    expect(await h.result()).toBe('failed');
    expect(named(clipId, 'trimClip')).toHaveLength(1);
    expect(named(clipId, 'failClip').map((c) => c.args[0])).toEqual([{ clipId, videoId: VIDEO_ID, reason }]);
    expect(named(clipId, 'finishClip')).toEqual([]);
    expect(await finalStatus(h, 'FAILED')).toBe('FAILED');
  });

  it('trim keeps crashing: three attempts, then FAILED with a reason that says it was our side', async () => {
    const { clipId, h } = await startClip({
      async trimClip() {
        throw new Error('ffmpeg exited with code 137');
      },
    });
    expect(await h.result()).toBe('failed');
    expect(named(clipId, 'trimClip').map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(named(clipId, 'failClip').map((c) => c.args[0])).toEqual([
      {
        clipId,
        videoId: VIDEO_ID,
        reason:
          'Something went wrong on our side while cutting the clip (ffmpeg exited with code 137). Create it again, and contact support if it keeps failing.',
      },
    ]);
  });

  it('a clip over the storage quota once cut ends failed', async () => {
    const { clipId, h } = await startClip({
      async finishClip() {
        return 'over_quota';
      },
    });
    expect(await h.result()).toBe('failed');
    expect(named(clipId, 'failClip')).toEqual([]);
    expect(await finalStatus(h, 'FAILED')).toBe('FAILED');
  });

  it('a deletion during the trim cancels it and removes the clip', async () => {
    let cancelled = false;
    const { clipId, h } = await startClip({
      async trimClip() {
        // Cancellation reaches an activity through its heartbeats.
        const ctx = Context.current();
        for (;;) {
          ctx.heartbeat();
          if (ctx.cancellationSignal.aborted) {
            cancelled = true;
            throw ctx.cancellationSignal.reason;
          }
          await sleep(100);
        }
      },
    });
    await eventually(
      () => named(clipId, 'trimClip').length,
      (n) => n === 1,
    );
    await h.signal(deleteClipSignal);
    expect(await h.result()).toBe('deleted');
    expect(cancelled).toBe(true);
    expect(named(clipId, 'deleteClipData').map((c) => c.args[0])).toEqual([{ clipId, videoId: VIDEO_ID }]);
    expect(named(clipId, 'failClip')).toEqual([]);
    expect(named(clipId, 'finishClip')).toEqual([]);
    expect(await finalStatus(h, 'DELETED')).toBe('DELETED');
  });
});

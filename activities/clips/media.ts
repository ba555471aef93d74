import { Context } from '@temporalio/activity';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { planTrim, type ClipRange } from '../../src/domain/videos/trim';
import type { Deps } from '../../src/infra/deps';
import {
  keyframesNear,
  mediaFacts,
  probe,
  runCommand,
  stillCommand,
  trimCommand,
} from '../../src/infra/ffmpeg-commands';
import { presignGet, uploadFile } from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import type { StoredRendition } from '../../src/data/videos';
import { Heartbeater } from '../shared/heartbeat';
import { clipTempDir, INTERNAL_URL_TTL_MS, rethrow } from '../shared/media';

// Cutting clips, on the media task queue.

export interface TrimInput {
  clipId: string;
  videoId: string;
  rendition: StoredRendition;
  range: ClipRange;
  fps: number;
  durationSeconds: number;
}

export interface TrimResult {
  mode: 'copy' | 'reencode';
  startSeconds: number;
  endSeconds: number;
  key: string;
  posterKey: string;
  bytes: number;
  durationSeconds: number;
  width: number;
  height: number;
}

export function clipMediaActivities(deps: Pick<Deps, 'cfg' | 's3'>) {
  const bucket = deps.cfg.S3_BUCKET;
  return {
    /**
     * Cuts a clip from a rendition read over a presigned URL (ffmpeg seeks with range requests, so a
     * 10-second clip of a 2-hour video reads seconds, not gigabytes): stream copy when the start is a
     * keyframe, else an exact re-encode. Uploads the clip and its poster under the clip's keys.
     */
    async trimClip(input: TrimInput): Promise<TrimResult> {
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      const dir = clipTempDir(input.clipId);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const hb = new Heartbeater({ percent: 0 });
      try {
        const url = await presignGet(deps.s3, bucket, input.rendition.key, INTERNAL_URL_TTL_MS);
        const keyframes = await keyframesNear(deps.cfg.FFPROBE_PATH, url, input.range.startSeconds - 2.5, 5);
        const plan = planTrim(input.range, keyframes, input.fps, input.durationSeconds);
        const out = join(dir, 'clip.mp4');
        const poster = join(dir, 'poster.jpg');
        const encode = {
          width: input.rendition.width,
          height: input.rendition.height,
          fps: input.fps,
          videoKbps: input.rendition.videoKbps,
          audioKbps: input.rendition.audioKbps,
        };
        await runCommand(trimCommand(url, out, plan, encode), {
          signal,
          onTime: (t) =>
            hb.update({
              percent: Math.min(80, (80 * t) / Math.max(0.1, plan.endSeconds - plan.startSeconds)),
            }),
        });
        const facts = mediaFacts(await probe(out));
        if (!facts.video || !(facts.durationSeconds > 0)) throw new Error('the trimmed clip has no picture');
        await runCommand(
          stillCommand(out, poster, Math.min(0.5, facts.durationSeconds / 2), {
            width: input.rendition.width,
            height: input.rendition.height,
          }),
          { signal },
        );
        const key = videoKeys.clip(input.videoId, input.clipId);
        const posterKey = videoKeys.clipPoster(input.videoId, input.clipId);
        const bytes = await uploadFile(deps.s3, bucket, key, out, 'video/mp4', signal);
        await uploadFile(deps.s3, bucket, posterKey, poster, 'image/jpeg', signal);
        hb.update({ percent: 100 });
        return {
          mode: plan.mode,
          startSeconds: plan.startSeconds,
          endSeconds: plan.endSeconds,
          key,
          posterKey,
          bytes,
          durationSeconds: facts.durationSeconds,
          width: facts.video.width,
          height: facts.video.height,
        };
      } catch (err) {
        rethrow(err);
      } finally {
        hb.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

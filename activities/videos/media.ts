import { ApplicationFailure, Context } from '@temporalio/activity';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FramedCandidate } from '../../src/domain/videos/analysis';
import {
  checkMedia,
  posterTime,
  selectRenditions,
  type MediaFacts,
  type Rendition,
} from '../../src/domain/videos/ladder';
import {
  parseMetadataPrint,
  selectKeyMoments,
  summariseSignals,
  type SignalSummary,
} from '../../src/domain/videos/signals';
import { VIDEO_PROGRESS_SIGNAL, type Stage } from '../../src/domain/videos/status';
import type { Deps } from '../../src/infra/deps';
import {
  encodeRenditionsCommand,
  factsDisplaySize,
  mediaFacts,
  probe,
  runCommand,
  signalsCommand,
  stillCommand,
} from '../../src/infra/ffmpeg-commands';
import {
  deletePrefix,
  downloadToFile,
  objectSize,
  presignGet,
  uploadFile,
} from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import type { StoredRendition } from '../../src/data/videos';
import { Heartbeater } from '../shared/heartbeat';
import {
  INTERNAL_URL_TTL_MS,
  invalidMedia,
  rethrow,
  removeStepDir,
  removeVideoTemp,
  sweepStaleTemp,
  technical,
  videoTempDir,
} from '../shared/media';

// The video pipeline's ffmpeg work, on the media task queue: probe, transcode, signals for the
// analysis. Outputs go to deterministic keys, so a retry overwrites rather than duplicates.

export interface ProbeResult {
  facts: MediaFacts;
  width: number;
  height: number;
  renditions: Rendition[];
  posterAt: number;
  hasAudio: boolean;
}

export interface TranscodeInput {
  videoId: string;
  sourceKey: string;
  sourceBytes: number;
  durationSeconds: number;
  renditions: Rendition[];
  posterAt: number;
}

export interface TranscodeResult {
  renditions: StoredRendition[];
  posterKey: string;
}

interface TranscodeHeartbeat {
  percent: number;
  phase: 'download' | 'encode' | 'upload';
  uploaded: string[];
}

export interface SignalsResult {
  candidates: FramedCandidate[];
  summary: SignalSummary;
}

function outputComplete(sourceSeconds: number, outputSeconds: number): boolean {
  return Number.isFinite(outputSeconds) && outputSeconds >= sourceSeconds * 0.9 - 0.5;
}

export function videoMediaActivities(deps: Pick<Deps, 'cfg' | 'db' | 's3' | 'temporal'>) {
  const bucket = deps.cfg.S3_BUCKET;
  const progress = (stage: string) => ({ client: deps.temporal, signal: VIDEO_PROGRESS_SIGNAL, stage });
  /** Records the stage a processing video is in (the API shows it when the workflow cannot be asked). */
  const markStage = (videoId: string, stage: Stage) =>
    deps.db.video.updateMany({ where: { id: videoId, status: 'processing' }, data: { stage } });

  return {
    /** ffprobe over a presigned URL (no download): duration, streams, codecs; refuses what we cannot process. */
    async probeVideoSource(input: { videoId: string; sourceKey: string }): Promise<ProbeResult> {
      await markStage(input.videoId, 'probing');
      const url = await presignGet(deps.s3, bucket, input.sourceKey, INTERNAL_URL_TTL_MS);
      let facts: MediaFacts;
      try {
        facts = mediaFacts(await probe(url));
      } catch (err) {
        throw invalidMedia(
          `We could not read this file as a video: it may be damaged or only partly uploaded. Check that it plays on your device, then upload it again. (ffprobe: ${technical(err).slice(0, 160)})`,
        );
      }
      const verdict = checkMedia(facts);
      if (!verdict.ok) throw invalidMedia(verdict.reason);
      const { width, height } = factsDisplaySize(facts);
      const renditions = selectRenditions({ width, height, fps: facts.video?.fps });
      await deps.db.video.update({
        where: { id: input.videoId },
        data: { durationSeconds: facts.durationSeconds, width, height, media: facts as object },
      });
      return {
        facts,
        width,
        height,
        renditions,
        posterAt: posterTime(facts.durationSeconds),
        hasAudio: Boolean(facts.audio),
      };
    },

    /**
     * Source → every rendition in one ffmpeg pass, plus the poster; uploads them under deterministic
     * keys. Heartbeats percent done; after a crash the next attempt reuses a finished download or
     * encode found in the temp folder and skips outputs the last heartbeat says were uploaded.
     */
    async transcodeVideo(input: TranscodeInput): Promise<TranscodeResult> {
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      await markStage(input.videoId, 'transcoding');
      await sweepStaleTemp();
      const dir = videoTempDir(input.videoId, 'transcode');
      const outDir = join(dir, 'out');
      const marker = join(dir, 'encoded.json');
      await mkdir(dir, { recursive: true });
      const prior = (ctx.info.heartbeatDetails ?? undefined) as TranscodeHeartbeat | undefined;
      const hb = new Heartbeater<TranscodeHeartbeat>(
        { percent: 0, phase: 'download', uploaded: prior?.uploaded ?? [] },
        progress('transcoding'),
      );
      const outputs = input.renditions.map((rendition) => ({
        rendition,
        path: join(outDir, `${rendition.label}.mp4`),
      }));
      const posterPath = join(outDir, 'poster.jpg');
      try {
        const sourcePath = join(dir, 'source');
        await downloadToFile(deps.s3, bucket, input.sourceKey, sourcePath, {
          expectedBytes: input.sourceBytes,
          signal,
          onBytes: (n) => hb.update({ percent: Math.min(5, (5 * n) / Math.max(1, input.sourceBytes)) }),
        });

        const alreadyEncoded = await readFile(marker, 'utf8').then(
          () => true,
          () => false,
        );
        if (!alreadyEncoded) {
          await rm(outDir, { recursive: true, force: true });
          await mkdir(outDir, { recursive: true });
          hb.update({ phase: 'encode', uploaded: [] });
          let encodedSeconds = 0;
          try {
            await runCommand(encodeRenditionsCommand(sourcePath, outputs), {
              signal,
              onTime: (t) => {
                encodedSeconds = Math.max(encodedSeconds, t);
                hb.update({ percent: 5 + Math.min(85, (85 * t) / Math.max(0.1, input.durationSeconds)) });
              },
            });
            await runCommand(
              stillCommand(sourcePath, posterPath, input.posterAt, posterSize(input.renditions)),
              { signal },
            );
          } catch (err) {
            if (signal.aborted) rethrow(err);
            throw invalidMedia(
              `The video could not be converted: it may be damaged. Export it again from your camera or editing app and upload it. (ffmpeg: ${technical(err).slice(0, 160)})`,
            );
          }
          // ffmpeg conceals decode errors and may exit 0 having read only part of a damaged file: its
          // final progress line says how much it wrote.
          if (!outputComplete(input.durationSeconds, encodedSeconds)) {
            throw invalidMedia(
              `Only ${encodedSeconds.toFixed(1)} s of the ${input.durationSeconds.toFixed(1)} s video could be read: the file is damaged partway through. Export it again and upload it.`,
            );
          }
          await writeMarker(marker);
        }

        hb.update({ phase: 'upload', percent: 90 });
        const stored: StoredRendition[] = [];
        const files = [
          ...outputs.map((o) => ({
            label: o.rendition.label,
            path: o.path,
            key: videoKeys.rendition(input.videoId, o.rendition.label),
            type: 'video/mp4',
          })),
          { label: 'poster', path: posterPath, key: videoKeys.poster(input.videoId), type: 'image/jpeg' },
        ];
        let done = 0;
        for (const f of files) {
          const local = (await stat(f.path)).size;
          const skip =
            hb.current.uploaded.includes(f.label) && (await objectSize(deps.s3, bucket, f.key)) === local;
          if (!skip) await uploadFile(deps.s3, bucket, f.key, f.path, f.type, signal);
          hb.update({
            uploaded: [...new Set([...hb.current.uploaded, f.label])],
            percent: 90 + (10 * ++done) / files.length,
          });
          const r = outputs.find((o) => o.rendition.label === f.label)?.rendition;
          if (r)
            stored.push({
              label: r.label,
              key: f.key,
              width: r.width,
              height: r.height,
              bytes: local,
              videoKbps: r.videoKbps,
              audioKbps: r.audioKbps,
            });
        }
        const posterKey = videoKeys.poster(input.videoId);
        await deps.db.video.update({
          where: { id: input.videoId },
          data: { renditions: stored as object[], posterKey },
        });
        await removeStepDir(input.videoId, 'transcode');
        return { renditions: stored, posterKey };
      } catch (err) {
        // Keep a finished download/encode for the next attempt unless there will not be one.
        if (signal.aborted || (err instanceof ApplicationFailure && err.nonRetryable))
          await removeStepDir(input.videoId, 'transcode');
        rethrow(err);
      } finally {
        hb.stop();
      }
    },

    /**
     * Scene changes, motion and audio peaks from one decode of a small rendition; picks the key
     * moments and uploads a still of each (frames no longer part of the report are deleted).
     */
    async extractVideoSignals(input: {
      videoId: string;
      rendition: StoredRendition;
      durationSeconds: number;
      hasAudio: boolean;
    }): Promise<SignalsResult> {
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      await markStage(input.videoId, 'analysing');
      const dir = videoTempDir(input.videoId, 'signals');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const hb = new Heartbeater({ percent: 0 }, progress('analysing'));
      try {
        const local = join(dir, 'rendition.mp4');
        await downloadToFile(deps.s3, bucket, input.rendition.key, local, { signal });
        const files = {
          scene: join(dir, 'scene.txt'),
          motion: join(dir, 'motion.txt'),
          audio: join(dir, 'audio.txt'),
        };
        await runCommand(signalsCommand(local, files, input.hasAudio), {
          signal,
          onTime: (t) =>
            hb.update({ percent: Math.min(70, (70 * t) / Math.max(0.1, input.durationSeconds)) }),
        });
        const read = (p: string) => readFile(p, 'utf8').catch(() => '');
        const signals = {
          durationSeconds: input.durationSeconds,
          scene: parseMetadataPrint(await read(files.scene), 'lavfi.scene_score'),
          motion: parseMetadataPrint(await read(files.motion), 'lavfi.signalstats.YDIF'),
          audio: input.hasAudio
            ? parseMetadataPrint(await read(files.audio), 'lavfi.astats.Overall.RMS_level')
            : [],
        };
        const moments = selectKeyMoments(signals);
        const candidates: FramedCandidate[] = [];
        const keep = new Set<string>();
        const frames: { path: string; key: string }[] = [];
        for (const [i, m] of moments.entries()) {
          const path = join(dir, `frame-${i}.jpg`);
          const key = videoKeys.frame(input.videoId, i);
          const at = Math.min(m.atSeconds, Math.max(0, input.durationSeconds - 0.05));
          await runCommand(
            stillCommand(
              local,
              path,
              at,
              { width: input.rendition.width, height: input.rendition.height },
              4,
            ),
            { signal },
          );
          frames.push({ path, key });
          keep.add(key);
          candidates.push({ ...m, frame: key.slice(`videos/${input.videoId}/analysis/`.length) });
          hb.update({ percent: 70 + (25 * (i + 1)) / moments.length });
        }
        await Promise.all(
          frames.map((f) => uploadFile(deps.s3, bucket, f.key, f.path, 'image/jpeg', signal)),
        );
        await deletePrefix(deps.s3, bucket, videoKeys.framesPrefix(input.videoId), (k) => keep.has(k));
        return { candidates, summary: summariseSignals(signals) };
      } catch (err) {
        rethrow(err);
      } finally {
        hb.stop();
        await removeStepDir(input.videoId, 'signals');
      }
    },

    /** Removes a video's temp folder on this media worker (after a failure or a deletion). */
    async removeVideoTempFiles(input: { videoId: string }): Promise<void> {
      await removeVideoTemp(input.videoId);
    },
  };
}

/** Poster at the largest rendition up to 720p: sharp on a phone, small enough for a list of cards. */
function posterSize(renditions: readonly Rendition[]): { width: number; height: number } {
  const r = renditions.find((x) => Math.min(x.width, x.height) <= 720) ?? renditions.at(-1)!;
  return { width: r.width, height: r.height };
}

async function writeMarker(path: string): Promise<void> {
  await writeFile(path, JSON.stringify({ encodedAt: new Date().toISOString() }));
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkMedia,
  displaySize,
  formatDuration,
  outputFps,
  parseFrameRate,
  posterTime,
  selectRenditions,
  type MediaFacts,
} from '../../../src/domain/videos/ladder';

const dims = (r: { label: string; width: number; height: number }[]) =>
  r.map((x) => `${x.label}:${x.width}x${x.height}`);

describe('selectRenditions', () => {
  it('gives a 1080p source every rung, highest first', () => {
    expect(dims(selectRenditions({ width: 1920, height: 1080 }))).toEqual([
      '1080p:1920x1080',
      '720p:1280x720',
      '360p:640x360',
      '240p:426x240',
    ]);
  });

  it('never upscales: a 640x360 source gets 360p and 240p', () => {
    expect(dims(selectRenditions({ width: 640, height: 360 }))).toEqual(['360p:640x360', '240p:426x240']);
  });

  it('keeps portrait videos portrait, naming rungs by the short side', () => {
    expect(dims(selectRenditions({ width: 1080, height: 1920 }))).toEqual([
      '1080p:1080x1920',
      '720p:720x1280',
      '360p:360x640',
      '240p:240x426',
    ]);
  });

  it('gives a source smaller than the lowest rung one rendition at its own (even) size', () => {
    expect(dims(selectRenditions({ width: 321, height: 179 }))).toEqual(['178p:320x178']);
  });

  it('handles odd and unusual aspect ratios with even sizes that never exceed the source', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 4096 }), fc.integer({ min: 16, max: 4096 }), (width, height) => {
        const renditions = selectRenditions({ width, height });
        expect(renditions.length).toBeGreaterThan(0);
        for (const r of renditions) {
          expect(r.width % 2).toBe(0);
          expect(r.height % 2).toBe(0);
          expect(r.width).toBeLessThanOrEqual(width);
          expect(r.height).toBeLessThanOrEqual(height);
          // Rounding to even pixels moves each side by at most one pixel.
          expect(Math.abs(r.width / r.height - width / height)).toBeLessThanOrEqual(
            (width / height) * (2 / Math.min(r.width, r.height)) + 1e-9,
          );
        }
      }),
    );
  });

  it('raises bitrates for high frame rates and caps the frame rate at 60', () => {
    const [r30] = selectRenditions({ width: 1280, height: 720, fps: 30 });
    const [r60] = selectRenditions({ width: 1280, height: 720, fps: 59.94 });
    expect(r60!.videoKbps).toBe(Math.round(r30!.videoKbps * 1.5));
    expect(outputFps(240)).toBe(60);
    expect(outputFps(undefined)).toBe(30);
  });
});

describe('displaySize', () => {
  it('swaps width and height for phones that record sideways', () => {
    expect(displaySize({ width: 1920, height: 1080, rotation: -90 })).toEqual({ width: 1080, height: 1920 });
    expect(displaySize({ width: 1920, height: 1080, rotation: 180 })).toEqual({ width: 1920, height: 1080 });
  });

  it('applies a non-square sample aspect ratio', () => {
    expect(displaySize({ width: 720, height: 576, sampleAspectRatio: '16:11' })).toEqual({
      width: 1047,
      height: 576,
    });
  });
});

describe('checkMedia', () => {
  const ok: MediaFacts = {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSeconds: 12,
    video: { codec: 'h264', width: 1280, height: 720 },
    audio: { codec: 'aac' },
  };

  it('accepts an MP4/MOV with a picture', () => {
    expect(checkMedia(ok)).toEqual({ ok: true });
    expect(checkMedia({ ...ok, audio: undefined })).toEqual({ ok: true });
  });

  it('refuses audio-only files, other containers, unreadable codecs and odd lengths with reasons', () => {
    const reasons = [
      checkMedia({ ...ok, video: undefined }),
      checkMedia({ ...ok, formatName: 'matroska,webm' }),
      checkMedia({ ...ok, video: { codec: 'none', width: 1, height: 1 } }),
      checkMedia({ ...ok, durationSeconds: 0.1 }),
      checkMedia({ ...ok, durationSeconds: 5 * 3600 }),
      checkMedia({ ...ok, video: { codec: 'h264', width: 10000, height: 720 } }),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons[0]).toMatch(/no video picture/);
    expect(reasons[1]).toMatch(/matroska,webm file, not MP4 or MOV/);
    expect(reasons[2]).toMatch(/cannot read/);
    expect(reasons[3]).toMatch(/shorter than half a second/);
    expect(reasons[4]).toMatch(/5:00:00 long; we accept up to 4 hours/);
    expect(reasons[5]).toMatch(/10000x720/);
  });
});

describe('helpers', () => {
  it('parses ffprobe frame rates', () => {
    expect(parseFrameRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseFrameRate('25/1')).toBe(25);
    expect(parseFrameRate('0/0')).toBeUndefined();
    expect(parseFrameRate(undefined)).toBeUndefined();
  });

  it('formats durations and picks a poster time inside the video', () => {
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725.4)).toBe('1:02:05');
    expect(posterTime(4)).toBeCloseTo(0.4);
    expect(posterTime(600)).toBe(5);
    expect(posterTime(0.5)).toBeCloseTo(0.05);
  });
});

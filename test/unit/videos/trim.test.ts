import { describe, expect, it } from 'vitest';
import { checkClipRange, parseKeyframeTimes, planTrim } from '../../../src/domain/videos/trim';

describe('planTrim', () => {
  const keyframes = [0, 2, 4, 6];

  it('copies streams when the clip starts on a keyframe (within one frame)', () => {
    expect(planTrim({ startSeconds: 2, endSeconds: 3.3 }, keyframes, 25, 8)).toEqual({
      mode: 'copy',
      startSeconds: 2,
      endSeconds: 3.3,
      keyframe: 2,
    });
    expect(planTrim({ startSeconds: 3.97, endSeconds: 5 }, keyframes, 25, 8)).toMatchObject({
      mode: 'copy',
      startSeconds: 4,
    });
  });

  it('re-encodes from the exact time otherwise', () => {
    expect(planTrim({ startSeconds: 1.3, endSeconds: 3 }, keyframes, 25, 8)).toEqual({
      mode: 'reencode',
      startSeconds: 1.3,
      endSeconds: 3,
    });
  });

  it('never ends past the video', () => {
    expect(planTrim({ startSeconds: 0, endSeconds: 9 }, keyframes, 25, 8).endSeconds).toBe(8);
  });
});

describe('checkClipRange', () => {
  it('names the field that is wrong', () => {
    expect(checkClipRange({ startSeconds: 1, endSeconds: 3 }, 8)).toEqual([]);
    expect(checkClipRange({ startSeconds: -1, endSeconds: 3 }, 8)).toEqual([
      { field: 'start_seconds', reason: 'must be 0 or more' },
    ]);
    expect(checkClipRange({ startSeconds: 9, endSeconds: 10 }, 8).map((p) => p.field)).toEqual([
      'start_seconds',
      'end_seconds',
    ]);
    expect(checkClipRange({ startSeconds: 3, endSeconds: 3.2 }, 8)).toEqual([
      { field: 'end_seconds', reason: 'must be at least 0.5 s after start_seconds' },
    ]);
    expect(checkClipRange({ startSeconds: 3, endSeconds: 2 }, 8)[0]?.field).toBe('end_seconds');
  });
});

describe('parseKeyframeTimes', () => {
  it('reads ffprobe csv output, ignoring blank lines', () => {
    expect(parseKeyframeTimes('0.000000\n2.000000,\n\n4.000000\n')).toEqual([0, 2, 4]);
  });
});

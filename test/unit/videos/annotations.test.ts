import { describe, expect, it } from 'vitest';
import { annotationProblems, applyAnnotationPatch } from '../../../src/domain/videos/annotations';

const line = { type: 'line', from: { x: 0, y: 0 }, to: { x: 1, y: 1 } };

describe('annotationProblems', () => {
  it('accepts each kind with what it needs', () => {
    expect(annotationProblems({ kind: 'note', atSeconds: 1, text: 'Head still' }, 8)).toEqual([]);
    expect(annotationProblems({ kind: 'marker', atSeconds: 0, endSeconds: 8 }, 8)).toEqual([]);
    expect(annotationProblems({ kind: 'drawing', atSeconds: 8, shapes: [line] }, 8)).toEqual([]);
  });

  it('keeps the start inside the video', () => {
    expect(annotationProblems({ kind: 'marker', atSeconds: 8.01 }, 8)).toEqual([
      { field: 'at_seconds', reason: 'must be within the video (8.00 s)' },
    ]);
  });

  it('keeps the end between the start and the end of the video, allowing for rounded durations', () => {
    const reason = 'must be between at_seconds and the end of the video';
    expect(annotationProblems({ kind: 'marker', atSeconds: 3, endSeconds: 2 }, 8)).toEqual([
      { field: 'end_seconds', reason },
    ]);
    expect(annotationProblems({ kind: 'marker', atSeconds: 3, endSeconds: 8.05 }, 8)).toEqual([]);
    expect(annotationProblems({ kind: 'marker', atSeconds: 3, endSeconds: 8.06 }, 8)).toEqual([
      { field: 'end_seconds', reason },
    ]);
    expect(annotationProblems({ kind: 'marker', atSeconds: 3, endSeconds: null }, 8)).toEqual([]);
  });

  it('needs text on a note and shapes on a drawing, and only drawings have shapes', () => {
    expect(annotationProblems({ kind: 'note', atSeconds: 1, text: '' }, 8)).toEqual([
      { field: 'text', reason: 'a note needs text' },
    ]);
    expect(annotationProblems({ kind: 'drawing', atSeconds: 1, shapes: [] }, 8)).toEqual([
      { field: 'shapes', reason: 'a drawing needs at least one shape' },
    ]);
    expect(annotationProblems({ kind: 'marker', atSeconds: 1, shapes: [line] }, 8)).toEqual([
      { field: 'shapes', reason: 'only drawings have shapes' },
    ]);
    expect(annotationProblems({ kind: 'marker', atSeconds: 1, shapes: [] }, 8)).toEqual([]);
  });

  it('names every wrong field at once', () => {
    expect(annotationProblems({ kind: 'note', atSeconds: 9, endSeconds: 1 }, 8).map((p) => p.field)).toEqual([
      'at_seconds',
      'end_seconds',
      'text',
    ]);
  });
});

describe('applyAnnotationPatch', () => {
  const current = {
    kind: 'note' as const,
    atSeconds: 2,
    endSeconds: 4,
    text: 'Elbow up',
    shapes: null,
  };

  it('keeps fields the patch leaves out', () => {
    expect(applyAnnotationPatch(current, {})).toEqual(current);
    expect(applyAnnotationPatch(current, { atSeconds: 3 })).toEqual({ ...current, atSeconds: 3 });
  });

  it('clears a field set to null, never the kind', () => {
    expect(applyAnnotationPatch(current, { endSeconds: null, text: null })).toEqual({
      ...current,
      endSeconds: null,
      text: null,
    });
  });

  it('gives a result the rules check as a whole', () => {
    const merged = applyAnnotationPatch(current, { text: null });
    expect(annotationProblems(merged, 8)).toEqual([{ field: 'text', reason: 'a note needs text' }]);
  });
});

/**
 * Timestamped annotations on a ready video: what each kind needs and where in the video it may sit.
 * Pure. Problems name fields as the API spells them (at_seconds, end_seconds, …) so a client sees
 * exactly which of its fields is wrong.
 */
import type { FieldProblem } from '../shared/errors';

export const ANNOTATION_KINDS = ['note', 'marker', 'drawing'] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

/** An end may lie this far past the probed duration: container durations are rounded. */
const END_TOLERANCE_SECONDS = 0.05;

export interface AnnotationDraft {
  kind: AnnotationKind;
  atSeconds: number;
  endSeconds?: number | null;
  text?: string | null;
  shapes?: readonly unknown[] | null;
}

/** What each kind needs: a note has text, a drawing has shapes; the range lies inside the video. */
export function annotationProblems(a: AnnotationDraft, durationSeconds: number): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (a.atSeconds > durationSeconds)
    problems.push({
      field: 'at_seconds',
      reason: `must be within the video (${durationSeconds.toFixed(2)} s)`,
    });
  if (
    a.endSeconds != null &&
    (a.endSeconds < a.atSeconds || a.endSeconds > durationSeconds + END_TOLERANCE_SECONDS)
  ) {
    problems.push({ field: 'end_seconds', reason: 'must be between at_seconds and the end of the video' });
  }
  if (a.kind === 'note' && !a.text) problems.push({ field: 'text', reason: 'a note needs text' });
  if (a.kind === 'drawing' && !(a.shapes && a.shapes.length > 0))
    problems.push({ field: 'shapes', reason: 'a drawing needs at least one shape' });
  if (a.kind !== 'drawing' && a.shapes && a.shapes.length > 0)
    problems.push({ field: 'shapes', reason: 'only drawings have shapes' });
  return problems;
}

export type AnnotationPatch = Partial<Pick<AnnotationDraft, 'atSeconds' | 'endSeconds' | 'text' | 'shapes'>>;

/**
 * The annotation after a partial change: a field left out keeps its value, null clears it. The kind
 * never changes (a note does not become a drawing), so the result is checked as a whole.
 */
export function applyAnnotationPatch(current: Required<AnnotationDraft>, patch: AnnotationPatch) {
  return {
    kind: current.kind,
    atSeconds: patch.atSeconds ?? current.atSeconds,
    endSeconds: patch.endSeconds !== undefined ? patch.endSeconds : current.endSeconds,
    text: patch.text !== undefined ? patch.text : current.text,
    shapes: patch.shapes !== undefined ? patch.shapes : current.shapes,
  } satisfies Required<AnnotationDraft>;
}

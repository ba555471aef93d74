// Half-open interval arithmetic on epoch milliseconds: a range is [start, end).
// Half-open means back-to-back ranges (10:00–11:00, 11:00–12:00) touch but do not overlap.

export interface Range {
  start: number;
  end: number;
}

const isEmpty = (r: Range): boolean => !(r.end > r.start);

const byStart = (a: Range, b: Range): number => a.start - b.start || a.end - b.end;

/** Sorted, disjoint union of the inputs. Touching ranges are coalesced; empty ranges dropped. */
export function merge(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => !isEmpty(r)).sort(byStart);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push({ start: r.start, end: r.end });
    }
  }
  return out;
}

/** Pairwise intersection of two range sets (each merged first), sorted and disjoint. Linear sweep. */
export function intersect(a: readonly Range[], b: readonly Range[]): Range[] {
  const x = merge(a);
  const y = merge(b);
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i]!;
    const q = y[j]!;
    const start = Math.max(p.start, q.start);
    const end = Math.min(p.end, q.end);
    if (end > start) out.push({ start, end });
    if (p.end < q.end) i++;
    else j++;
  }
  return out;
}

/** `from` minus every range in `remove`: sorted, disjoint pieces of `from` not covered by `remove`. */
export function subtract(from: readonly Range[], remove: readonly Range[]): Range[] {
  const base = merge(from);
  const holes = merge(remove);
  const out: Range[] = [];
  let j = 0;
  for (const r of base) {
    let cursor = r.start;
    // Holes are sorted by end too (disjoint), so those ending before this range never matter again.
    while (j < holes.length && holes[j]!.end <= cursor) j++;
    let k = j;
    while (k < holes.length && holes[k]!.start < r.end) {
      const h = holes[k]!;
      if (h.start > cursor) out.push({ start: cursor, end: h.start });
      cursor = Math.max(cursor, h.end);
      if (cursor >= r.end) break;
      k++;
    }
    if (cursor < r.end) out.push({ start: cursor, end: r.end });
  }
  return out;
}

/** True when the two ranges share at least one instant (touching is not overlapping). */
export function overlaps(a: Range, b: Range): boolean {
  return a.start < b.end && b.start < a.end && !isEmpty(a) && !isEmpty(b);
}

/** True when `inner` lies entirely within `outer` (an empty inner range is contained nowhere). */
export function contains(outer: Range, inner: Range): boolean {
  return !isEmpty(inner) && inner.start >= outer.start && inner.end <= outer.end;
}

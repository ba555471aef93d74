// Shared by the suites and by the load generator's own process (so: nothing heavy imported here).

/** The p-quantile (p in 0..1) of `samples`, the value at floor(p × n) of the sorted samples, rounded. */
export function percentile(samples: readonly number[], p: number, digits = 2): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(digits));
}

/**
 * Shared helpers for benchmarks: percentiles, readable rows, and the final
 * JSON line. A benchmark measures our figure and a raw baseline in the same
 * run and prints both with their ratio.
 */

/** The q-th quantile (0..1) of `samples`, nearest-rank. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Rounds to `digits` decimals, for figures that should read cleanly. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Milliseconds since `start` (from performance.now()). */
export function since(start: number): number {
  return performance.now() - start;
}

/** Prints one readable line: a label, our figure, the baseline and the ratio. */
export function row(label: string, ours: number, unit: string, raw?: number): void {
  const base = raw === undefined ? '' : `   raw ${fmt(raw)} ${unit}   ratio ${fmt(ours / raw)}x`;
  process.stdout.write(`${label.padEnd(44)} ${fmt(ours).padStart(10)} ${unit}${base}\n`);
}

/** Prints a section heading. */
export function heading(text: string): void {
  process.stdout.write(`\n== ${text}\n`);
}

/** Prints the final line: one JSON object with every figure. Call it last. */
export function report(figures: Record<string, number | string | boolean>): void {
  process.stdout.write(JSON.stringify(figures) + '\n');
}

function fmt(n: number): string {
  return Number.isFinite(n) ? String(round(n)) : String(n);
}

/** Runs `fn` for each of `count` jobs with at most `concurrency` at once. */
export async function pool(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

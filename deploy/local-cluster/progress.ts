/**
 * Progress lines of `skiff up`/`skiff down` for a person at a terminal:
 * numbered steps and indented details, each with the time since the start,
 * e.g. `[2/5] starting the local registry (4.1s)`. Also an adapter that turns
 * the structured log records of createLocalNodes into such lines.
 */
import { createLogger, type Logger } from '../../control-plane/api/log.ts';

export interface Progress {
  /** Prints `[i/total] text (elapsed)` and advances the step counter. */
  step(text: string): void;
  /** Prints an indented detail line with the elapsed time. */
  detail(text: string): void;
  /** Seconds since the start, e.g. "12.3s". */
  elapsed(): string;
}

/** A progress printer writing lines to `write`; `now` is injectable for tests. */
export function createProgress(
  total: number,
  write: (line: string) => void,
  now: () => number = Date.now,
): Progress {
  const start = now();
  let current = 0;
  const elapsed = () => formatSeconds(now() - start);
  return {
    step(text) {
      current += 1;
      write(`[${current}/${total}] ${text} (${elapsed()})`);
    },
    detail(text) {
      write(`      ${text} (${elapsed()})`);
    },
    elapsed,
  };
}

/** Milliseconds as seconds with one decimal, e.g. 12345 -> "12.3s" (pure). */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** One log record of createLocalNodes, as its logger writes it (a JSON object a line). */
export type LogRecord = Record<string, unknown>;

/**
 * A Logger whose records go to `onRecord` (parsed) instead of stderr, for
 * turning another module's structured events into progress lines. Debug
 * records are dropped.
 */
export function recordingLogger(onRecord: (r: LogRecord) => void): Logger {
  return createLogger(
    {},
    {
      level: 'info',
      sink: (line) => {
        try {
          const r: unknown = JSON.parse(line);
          if (typeof r === 'object' && r !== null) onRecord(r as LogRecord);
        } catch {
          // Not JSON: never the case for createLogger's lines.
        }
      },
    },
  );
}

/**
 * The detail line for a createLocalNodes log record, or undefined for
 * records a person need not see (pure). Warnings and errors are always shown.
 */
export function describeNodesRecord(r: LogRecord): string | undefined {
  const s = (k: string) => (typeof r[k] === 'string' ? r[k] : '?');
  switch (r.msg) {
    case 'Created host network':
      return `bridge ${s('bridge')} on ${s('subnet')}`;
    case 'Started registry with the sample images':
      return `registry at ${s('address')} holds the sample images`;
    case 'Started node':
      return `node ${s('node')}: ${s('ip')}, namespace ${s('netns')}, dockerd running, images loaded`;
    default:
      if (r.level === 'warn' || r.level === 'error') return `${String(r.level)}: ${String(r.msg)}`;
      return undefined;
  }
}

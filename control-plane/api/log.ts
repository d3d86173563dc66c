/**
 * Structured logging: one JSON object a line on stderr, a constant message
 * and the data in fields, as klog's InfoS does:
 *   log.info('Synced iptables rules', { services: 12, elapsedMs: 4 })
 * One logger per component: `rootLogger.child({ component: 'proxy' })`.
 * SKIFF_LOG_LEVEL (debug, info, warn, error) sets the threshold.
 * A line below the threshold costs nothing but the call; where building
 * its fields costs something on a hot path, ask first:
 *   if (isEnabled(log, 'debug')) log.debug('Request', requestFields(req))
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /**
   * True when a line at `level` would be written. Loggers from createLogger
   * have it; a hand-made Logger may leave it out (see isEnabled).
   */
  enabled?(level: LogLevel): boolean;
}

/** True when `log` writes lines at `level` (true for a logger that cannot tell). */
export function isEnabled(log: Logger, level: LogLevel): boolean {
  return log.enabled ? log.enabled(level) : true;
}

export type LogSink = (line: string) => void;

export function createLogger(
  base: LogFields = {},
  opts: { level?: LogLevel; sink?: LogSink } = {},
): Logger {
  const threshold = LEVELS[opts.level ?? envLevel()];
  const sink = opts.sink ?? ((line: string) => process.stderr.write(line + '\n'));
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (LEVELS[level] < threshold) return;
    sink(
      JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...serialize(fields) }),
    );
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    enabled: (level) => LEVELS[level] >= threshold,
    child: (fields) =>
      createLogger({ ...base, ...fields }, { ...opts, level: levelName(threshold) }),
  };
}

/** The process-wide root logger; components take a child of it. */
export const rootLogger: Logger = createLogger();

function envLevel(): LogLevel {
  const v = process.env.SKIFF_LOG_LEVEL;
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : 'info';
}

function levelName(n: number): LogLevel {
  return (Object.keys(LEVELS) as LogLevel[]).find((k) => LEVELS[k] === n) ?? 'info';
}

// Errors do not survive JSON.stringify; keep their message, code and cause.
function serialize(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? errorFields(v) : v;
  return out;
}

function errorFields(err: Error): LogFields {
  const code = (err as { code?: unknown }).code;
  return {
    message: err.message,
    ...(code !== undefined ? { code } : {}),
    ...(err.cause instanceof Error ? { cause: err.cause.message } : {}),
  };
}

/**
 * Reading dockerode's errors: the HTTP status the engine answered and the
 * engine's own message (dockerode puts the parsed body in `json`).
 */

/** The engine's HTTP status code in a dockerode error, if any. */
export function engineStatus(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's message ("No such image: ...") or the error's own text. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object') {
    const message = (json as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message.trim();
  }
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  const text = err instanceof Error ? err.message : String(err);
  // dockerode's own wording around the engine's: "(HTTP code 500) server error - <engine text>".
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Runs `fn`; a 404 (gone) resolves to undefined, anything else rethrows. */
export async function unlessNotFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (engineStatus(err) === 404) return undefined;
    throw err;
  }
}

/** Runs `fn`; the listed statuses (e.g. 304 already stopped, 404 gone) count as success. */
export async function ignoring(
  statuses: readonly number[],
  fn: () => Promise<unknown>,
): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const status = engineStatus(err);
    if (status === undefined || !statuses.includes(status)) throw err;
  }
}

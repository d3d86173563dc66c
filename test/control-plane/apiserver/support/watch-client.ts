/**
 * Reads a watch stream over real HTTP: `next()` resolves with the next
 * `{type, object}` line (or rejects after a generous timeout), `close()`
 * aborts the request.
 */
export interface WatchLine {
  type: string;
  object: unknown;
}

export interface WatchClient {
  status: number;
  headers: Headers;
  next(timeoutMs?: number): Promise<WatchLine>;
  /** Resolves true when the server ended the stream (no more lines). */
  ended(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

export async function openWatch(
  url: string,
  headers: Record<string, string> = {},
): Promise<WatchClient> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  const lines: WatchLine[] = [];
  let buf = '';
  let done = false;
  let wake: (() => void) | undefined;
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        buf += decoder.decode(chunk.value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) lines.push(JSON.parse(line) as WatchLine);
        }
        wake?.();
      }
    } catch {
      // aborted or reset: the stream is over
    }
    done = true;
    wake?.();
  })();
  const waitFor = async (ready: () => boolean, timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(left, 250));
      });
    }
    return true;
  };
  return {
    status: res.status,
    headers: res.headers,
    async next(timeoutMs = 20_000) {
      const ok = await waitFor(() => lines.length > 0 || done, timeoutMs);
      const line = lines.shift();
      if (!ok || !line)
        throw new Error(done ? 'the watch stream ended' : `no watch event within ${timeoutMs} ms`);
      return line;
    },
    async ended(timeoutMs = 20_000) {
      return waitFor(() => done && lines.length === 0, timeoutMs);
    },
    close: () => ac.abort(),
  };
}

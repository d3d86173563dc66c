/**
 * The next line a benchmark's child process writes on stdout, for the
 * line-per-answer protocols of the bench's helper children.
 */
import type { ChildProcess } from 'node:child_process';
import type { Interface } from 'node:readline';

/**
 * Resolves with the next line of `lines` (the child's stdout); rejects
 * naming `who` and `what` it was waiting for when the child exits first or
 * `ms` pass.
 */
export function nextChildLine(
  child: ChildProcess,
  lines: Interface,
  ms: number,
  who: string,
  what: string,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      lines.off('line', onLine);
      reject(new Error(`${who} exited with ${code} (waiting for it to ${what})`));
    };
    const onLine = (line: string) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(line);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      lines.off('line', onLine);
      reject(new Error(`${who} did not ${what} in ${Math.round(ms / 1000)} s`));
    }, ms);
    child.once('exit', onExit);
    lines.once('line', onLine);
  });
}

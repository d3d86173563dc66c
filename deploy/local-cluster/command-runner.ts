/**
 * The one adapter through which the local cluster runs host commands (ip,
 * iptables, sysctl, nsenter, ...). Everything else in this folder takes a
 * `CommandRunner`, so the exec side effect sits in one place and every call
 * is bounded by a timeout.
 */
import { execFile } from 'node:child_process';

/** What a finished command produced; `code` is null when a signal ended it. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill the command after this many ms (default 60 s). */
  timeoutMs?: number;
  /** Written to the command's stdin. */
  input?: string;
}

/** Runs a program with arguments (never through a shell). */
export interface CommandRunner {
  /** Resolves with the result whatever the exit code; rejects only if the program cannot start. */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The real runner: `child_process.execFile`, output capped at 64 MiB. */
export const execRunner: CommandRunner = {
  run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = execFile(
        cmd,
        args,
        { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 64 << 20, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err && typeof err.code === 'string') {
            reject(new Error(`cannot run ${cmd}: ${err.message}`, { cause: err }));
            return;
          }
          const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
  },
};

/**
 * Runs a command that must succeed and returns its stdout; otherwise throws an
 * error naming the command line, its exit code and its stderr.
 */
export async function runOk(
  runner: CommandRunner,
  cmd: string,
  args: readonly string[],
  opts?: RunOptions,
): Promise<string> {
  const res = await runner.run(cmd, args, opts);
  if (res.code !== 0) {
    const why = res.stderr.trim() || res.stdout.trim() || 'no output';
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${String(res.code)}): ${why}`);
  }
  return res.stdout;
}

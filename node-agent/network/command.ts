/**
 * The one exec adapter of the pod network: every `ip`, `iptables`,
 * `iptables-restore` and `sysctl` call goes through a `CommandRunner`, bounded
 * by a timeout and, when `netnsPath` is set, run inside that network namespace
 * with `nsenter --net=PATH` (how the local cluster's agents and the tests
 * reach a node). Deliberately minimal: node-agent/proxy has its own iptables
 * runner, and the two should become one.
 */
import { execFile } from 'node:child_process';

/** What a finished command produced; `code` is null when a signal ended it. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Kill the command after this many ms (default 30 s). */
  timeoutMs?: number;
}

/** Runs a program with arguments, never through a shell. */
export interface CommandRunner {
  /** Resolves whatever the exit code; rejects only if the program cannot be started. */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The real runner. With `netnsPath` every command runs as
 * `nsenter --net=<netnsPath> -- cmd args` (network namespace only: host files,
 * mounts and PIDs stay visible).
 */
export function execRunner(netnsPath?: string): CommandRunner {
  return {
    run(cmd, args, opts = {}) {
      const [file, argv] =
        netnsPath === undefined
          ? [cmd, [...args]]
          : ['nsenter', [`--net=${netnsPath}`, '--', cmd, ...args]];
      return new Promise((resolve, reject) => {
        const child = execFile(
          file,
          argv,
          { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 64 << 20, encoding: 'utf8' },
          (err, stdout, stderr) => {
            if (err && typeof err.code === 'string') {
              reject(new Error(`cannot run ${file}: ${err.message}`, { cause: err }));
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
}

/**
 * Runs a command that must succeed and returns its stdout; otherwise throws
 * naming the command line, its exit code and its stderr.
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

/**
 * The one exec adapter of the node agent: every `ip`, `iptables`,
 * `iptables-restore`, `iptables-save`, `conntrack` and `sysctl` call of the
 * pod network and the proxy goes through a `CommandRunner` (the proxy's
 * `Exec` is a thin view of it), bounded by a timeout and, when `netnsPath`
 * is set, run inside that network namespace with `nsenter --net=PATH` (how
 * the local cluster's agents and the tests reach a node).
 */
import { spawn } from 'node:child_process';

/** What a finished command produced; `code` is null when a signal ended it. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin (which is closed either way). */
  input?: string;
  /** Kill the command (SIGKILL) after this many ms (default 30 s). */
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
 * mounts and PIDs stay visible). Output is not capped: an iptables-save of
 * a large cluster runs to tens of MB. A command killed at its timeout
 * resolves with code null and "killed after N ms" at the end of stderr.
 */
export function execRunner(netnsPath?: string): CommandRunner {
  return {
    run(cmd, args, opts = {}) {
      const [file, argv] =
        netnsPath === undefined
          ? [cmd, [...args]]
          : ['nsenter', [`--net=${netnsPath}`, '--', cmd, ...args]];
      const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      return new Promise((resolve, reject) => {
        const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let settled = false;
        const settle = (code: number | null, note = ''): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const stdout = Buffer.concat(out).toString();
          resolve({ code, stdout, stderr: Buffer.concat(err).toString() + note });
        };
        // Settled at once, not at 'close': a process the command left behind may hold its pipes.
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          settle(null, `\nkilled after ${timeoutMs} ms`);
        }, timeoutMs);
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', (e) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(new Error(`cannot run ${file}: ${e.message}`, { cause: e }));
        });
        child.on('close', (code) => settle(code));
        // A command that exits before reading all its input (a bad option) closes stdin;
        // that is reported by its exit code, not as EPIPE.
        child.stdin.on('error', () => undefined);
        child.stdin.end(opts.input ?? '');
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

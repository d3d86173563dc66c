/**
 * Running a command with optional stdin, bounded in time: the one place
 * the proxy starts processes (iptables-restore, iptables-save, iptables).
 */
import { spawn } from 'node:child_process';

/** The outcome of one command; code is -1 when it could not start or was killed. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv[0] with the rest as arguments, `input` on stdin; never rejects. */
export type Exec = (argv: readonly string[], input?: string) => Promise<ExecResult>;

/**
 * An Exec that runs commands directly, or inside the network namespace
 * file `netns` (e.g. /run/netns/node1) through `nsenter --net=PATH`. A
 * command still running after `timeoutMs` is killed (code -1).
 */
export function execCommand(opts: { netns?: string; timeoutMs?: number } = {}): Exec {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const prefix = opts.netns ? ['nsenter', `--net=${opts.netns}`] : [];
  return (argv, input) =>
    new Promise((resolve) => {
      const [cmd, ...args] = [...prefix, ...argv];
      const child = spawn(cmd ?? '', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let done = false;
      const finish = (code: number, extra = ''): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString() + extra;
        resolve({ code, stdout: Buffer.concat(out).toString(), stderr });
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(-1, `\nkilled after ${timeoutMs} ms`);
      }, timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => finish(-1, e.message));
      child.on('close', (code) => finish(code ?? -1));
      // A command that exits early (bad option) closes stdin; that is reported by its exit code.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
}

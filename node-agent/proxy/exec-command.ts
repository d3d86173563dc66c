/**
 * The proxy's view of the agent's exec adapter (network/command.ts): argv
 * in, a result out, never a rejection, so the iptables and conntrack
 * adapters handle every failure as an exit code.
 */
import { execRunner } from '../network/command.ts';

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
 * file `netns` (e.g. /run/netns/node1). A command still running after
 * `timeoutMs` (default 10 min) is killed (code -1).
 */
export function execCommand(opts: { netns?: string; timeoutMs?: number } = {}): Exec {
  const runner = execRunner(opts.netns);
  const timeoutMs = opts.timeoutMs ?? 600_000;
  return async ([cmd = '', ...args], input) => {
    try {
      const r = await runner.run(cmd, args, { input, timeoutMs });
      return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      return { code: -1, stdout: '', stderr: err instanceof Error ? err.message : String(err) };
    }
  };
}

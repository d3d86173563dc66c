/**
 * The one adapter through which the local cluster runs host commands (ip,
 * iptables, sysctl, nsenter, ...). Everything else in this folder takes a
 * `CommandRunner`, so the exec side effect sits in one place and every call
 * is bounded by a timeout. The implementation is the pod network's exec
 * adapter (node-agent/network/command.ts), the same contract, so the host
 * commands of the tooling and of the agents run one way.
 */
import {
  execRunner as networkRunner,
  type CommandRunner,
} from '../../node-agent/network/command.ts';

export {
  runOk,
  type CommandResult,
  type CommandRunner,
  type RunOptions,
} from '../../node-agent/network/command.ts';

// The tooling's default before it shared the pod network's runner (which defaults to 30 s).
const DEFAULT_TIMEOUT_MS = 60_000;

const host = networkRunner();

/** The real runner on this host (the pod network's, see above), 60 s unless told. */
export const execRunner: CommandRunner = {
  run: (cmd, args, opts = {}) =>
    host.run(cmd, args, { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS }),
};

/**
 * The two kernel settings the pod network depends on, read (and ip_forward
 * set) in the network namespace of the runner: with `nsenter --net=` that is
 * the node's, never the host's when a test runs the agent in a node namespace.
 * /proc/sys/net shows the namespace of the process that reads it, so `sysctl`
 * under nsenter reads and writes the node's values.
 */
import { runOk, type CommandRunner } from './command.ts';

const IP_FORWARD = 'net.ipv4.ip_forward';
const BRIDGE_NF = 'net.bridge.bridge-nf-call-iptables';

/** What the kernel says; undefined when the key does not exist (br_netfilter not loaded). */
export interface NetworkSysctls {
  ipForward: boolean | undefined;
  bridgeNfCallIptables: boolean | undefined;
}

export interface Sysctls {
  read(): Promise<NetworkSysctls>;
  /** Sets net.ipv4.ip_forward=1 (routing between the pod bridge and the node's link). */
  enableIpForward(): Promise<void>;
}

/** `Sysctls` through the `sysctl` command. */
export class ExecSysctls implements Sysctls {
  readonly #runner: CommandRunner;

  constructor(opts: { runner: CommandRunner }) {
    this.#runner = opts.runner;
  }

  async read(): Promise<NetworkSysctls> {
    return {
      ipForward: await this.#readFlag(IP_FORWARD),
      bridgeNfCallIptables: await this.#readFlag(BRIDGE_NF),
    };
  }

  async enableIpForward(): Promise<void> {
    await runOk(this.#runner, 'sysctl', ['-q', '-w', `${IP_FORWARD}=1`]);
  }

  async #readFlag(key: string): Promise<boolean | undefined> {
    const res = await this.#runner.run('sysctl', ['-n', key]);
    if (res.code !== 0) return undefined;
    return res.stdout.trim() === '1';
  }
}

/**
 * Warnings for an operator about `s` (pure): what is off, what breaks, and
 * the fix. Empty when both are on.
 */
export function sysctlWarnings(s: NetworkSysctls): string[] {
  const out: string[] = [];
  if (s.ipForward !== true) {
    out.push(`${IP_FORWARD} is off: pods cannot reach other nodes; set it to 1`);
  }
  if (s.bridgeNfCallIptables !== true) {
    out.push(
      `${BRIDGE_NF} is ${s.bridgeNfCallIptables === undefined ? 'missing' : 'off'}: ` +
        'service traffic between pods on one bridge bypasses iptables; ' +
        `run "modprobe br_netfilter" and set ${BRIDGE_NF}=1`,
    );
  }
  return out;
}

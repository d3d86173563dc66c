/**
 * Hairpin mode on the pod bridge's ports, so a pod reaching itself through a
 * service IP gets its own packet back out of the port it came in on. Docker
 * turns it on for its endpoints only when started with
 * `--userland-proxy=false` (the local cluster's dockerd is); otherwise it is
 * off, so the agent checks and sets it. Through `ip -d link`, not
 * /sys/class/net, because sysfs shows the interfaces of the namespace that
 * mounted it, not of the one `nsenter --net=` entered.
 */
import { runOk, type CommandRunner } from './command.ts';

export interface Hairpin {
  /** Ports of `bridge` that have hairpin mode off (none when the bridge does not exist). */
  portsWithout(bridge: string): Promise<string[]>;
  /** Turns hairpin mode on for the bridge port `port`. */
  enable(port: string): Promise<void>;
}

/** `Hairpin` through the `ip` command. */
export class IpHairpin implements Hairpin {
  readonly #runner: CommandRunner;

  constructor(opts: { runner: CommandRunner }) {
    this.#runner = opts.runner;
  }

  async portsWithout(bridge: string): Promise<string[]> {
    const res = await this.#runner.run('ip', ['-j', '-d', 'link', 'show', 'master', bridge]);
    // No bridge yet (no pod network on this node): nothing to do.
    if (res.code !== 0 && /does not exist|Cannot find device/.test(res.stderr)) return [];
    if (res.code !== 0)
      throw new Error(`ip link show master ${bridge} failed: ${res.stderr.trim()}`);
    return portsWithoutHairpin(res.stdout);
  }

  async enable(port: string): Promise<void> {
    await runOk(this.#runner, 'ip', [
      'link',
      'set',
      'dev',
      port,
      'type',
      'bridge_slave',
      'hairpin',
      'on',
    ]);
  }
}

/** The names of bridge ports in `ip -j -d link` output whose hairpin flag is not true. */
export function portsWithoutHairpin(json: string): string[] {
  const raw: unknown = JSON.parse(json.trim() === '' ? '[]' : json);
  if (!Array.isArray(raw)) throw new Error('ip -j link did not print a JSON array');
  const out: string[] = [];
  for (const entry of raw as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const link = entry as {
      ifname?: unknown;
      linkinfo?: { info_slave_data?: { hairpin?: unknown } };
    };
    if (typeof link.ifname !== 'string') continue;
    if (link.linkinfo?.info_slave_data?.hairpin !== true) out.push(link.ifname);
  }
  return out;
}

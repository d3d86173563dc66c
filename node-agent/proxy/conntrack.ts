/**
 * Stale UDP conntrack entries (kube-proxy's conntrack cleanup): UDP has no
 * connection to close, so a client keeps being NATed to an endpoint that
 * is gone, or keeps getting the REJECT it got while the service had none,
 * until its conntrack entry expires. After a sync the proxy deletes them.
 */
import { execCommand, type Exec } from './exec-command.ts';
import type { ServicePortInfo } from './service-ports.ts';

/** One `conntrack -D -p udp` filter: every field given must match. */
export interface UdpFlowFilter {
  /** The original destination (a ClusterIP). */
  origDst?: string;
  /** The original destination port (a NodePort). */
  dport?: number;
  /** The address the flow was DNATed to (an endpoint). */
  dstNat?: string;
}

/** Deletes conntrack entries. */
export interface ConntrackRunner {
  /** Deletes the UDP entries matching `filter`; resolves with how many went. Throws on failure. */
  deleteUdp(filter: UdpFlowFilter): Promise<number>;
}

/** ConntrackRunner running the conntrack command, optionally in a network namespace file. */
export class ExecConntrack implements ConntrackRunner {
  readonly #exec: Exec;

  constructor(opts: { netns?: string; exec?: Exec } = {}) {
    this.#exec = opts.exec ?? execCommand({ netns: opts.netns, timeoutMs: 30_000 });
  }

  async deleteUdp(f: UdpFlowFilter): Promise<number> {
    const argv = ['conntrack', '-D', '-p', 'udp'];
    if (f.origDst !== undefined) argv.push('--orig-dst', f.origDst);
    if (f.dport !== undefined) argv.push('--orig-port-dst', `${f.dport}`);
    if (f.dstNat !== undefined) argv.push('--dst-nat', f.dstNat);
    const r = await this.#exec(argv);
    const deleted = /(\d+) flow entries have been deleted/.exec(r.stderr + r.stdout);
    // conntrack exits 1 when nothing matched ("0 flow entries have been deleted"): not an error.
    if (deleted) return Number(deleted[1]);
    if (r.code === 0) return 0;
    throw new Error(
      `${argv.join(' ')} failed with exit code ${r.code}: ${r.stderr.trim() || 'no output'}. ` +
        'Check that the conntrack tool is installed and skiff runs as root; ' +
        'stale UDP flows expire on their own (nf_conntrack_udp_timeout).',
    );
  }
}

/**
 * The UDP flows made stale by going from `before` to `after` (both as
 * buildServicePorts returns them), as kube-proxy deletes them: for each
 * endpoint a UDP service port lost, its flows to the ClusterIP and to the
 * NodePort DNATed to that endpoint; for a UDP service port that had no
 * endpoints and now has some, every flow to its ClusterIP and NodePort
 * (they hold the REJECT's entry). Pure; deduplicated.
 */
export function staleUdpFlows(
  before: readonly ServicePortInfo[],
  after: readonly ServicePortInfo[],
): UdpFlowFilter[] {
  const now = new Map(after.map((sp) => [`${sp.name}/${sp.protocol}`, sp]));
  const out = new Map<string, UdpFlowFilter>();
  const add = (f: UdpFlowFilter): void => {
    out.set(JSON.stringify(f), f);
  };
  for (const old of before) {
    if (old.protocol !== 'UDP') continue;
    const cur = now.get(`${old.name}/UDP`);
    const kept = new Set(cur?.endpoints.map((e) => `${e.ip}:${e.port}`));
    for (const ep of old.endpoints) {
      if (kept.has(`${ep.ip}:${ep.port}`)) continue;
      add({ origDst: old.clusterIP, dstNat: ep.ip });
      if (old.nodePort !== undefined) add({ dport: old.nodePort, dstNat: ep.ip });
    }
  }
  const had = new Map(before.map((sp) => [`${sp.name}/${sp.protocol}`, sp]));
  for (const sp of after) {
    if (sp.protocol !== 'UDP' || sp.endpoints.length === 0) continue;
    const old = had.get(`${sp.name}/UDP`);
    if (old && old.endpoints.length > 0) continue;
    add({ origDst: sp.clusterIP });
    if (sp.nodePort !== undefined) add({ dport: sp.nodePort });
  }
  return [...out.values()];
}

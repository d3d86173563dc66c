/**
 * skiff's own filter and nat chains for pod traffic, and the one
 * iptables-restore payload that brings the kernel to them (pure).
 *
 * - filter `SKIFF-POD-FORWARD`, jumped to from FORWARD: accepts replies, and
 *   traffic from and to the cluster CIDR (pods of every node). Docker 20.10
 *   sets FORWARD's policy to DROP and accepts only traffic leaving its bridge,
 *   so without this another node could not open a connection to a pod.
 *   Traffic still addressed to the service CIDR (no service, or one without
 *   endpoints: the proxy DNATs every served one before FORWARD) returns
 *   first, so the proxy's REJECT further down FORWARD refuses it whichever
 *   of the two jumps stands higher; accepted here, it would leave the node.
 * - nat `SKIFF-POD-MASQ`, jumped to from POSTROUTING: pod to pod (also across
 *   nodes) is ACCEPTed, which ends the nat POSTROUTING walk, so no masquerade
 *   further down - in particular Docker 20.10's own `-s <subnet> ! -o <bridge>
 *   -j MASQUERADE` for the pod bridge - can hide a pod's real IP. (RETURN
 *   would go back to POSTROUTING and reach Docker's rule.) Service traffic
 *   (ctstate DNAT) is left to the rules below, so the proxy's hairpin and
 *   off-cluster masquerade marks still apply. Traffic from pods to anything
 *   outside the cluster CIDR is masqueraded.
 * Docker inserts its rules at the top of FORWARD and POSTROUTING when it
 * creates a network, so the jumps' placement is checked on every sync.
 */

export const FORWARD_CHAIN = 'SKIFF-POD-FORWARD';
export const MASQ_CHAIN = 'SKIFF-POD-MASQ';
const JUMP_COMMENT = 'skiff pod network';

/** One of skiff's chains: its table, the built-in chain that jumps to it, its rules. */
export interface ChainSpec {
  table: 'filter' | 'nat';
  chain: string;
  hook: 'FORWARD' | 'POSTROUTING';
  /** Rules in `iptables -S` form (`-A CHAIN ...`), exactly as iptables prints them back. */
  rules: string[];
}

/**
 * skiff's pod-network chains for `clusterCidr` and `serviceCidr`
 * (normalized IPv4 CIDRs).
 */
export function podNetworkChains(clusterCidr: string, serviceCidr: string): ChainSpec[] {
  const c = clusterCidr;
  const f = `-A ${FORWARD_CHAIN}`;
  const n = `-A ${MASQ_CHAIN}`;
  return [
    {
      table: 'filter',
      chain: FORWARD_CHAIN,
      hook: 'FORWARD',
      rules: [
        `${f} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "skiff: replies" -j ACCEPT`,
        `${f} -d ${serviceCidr} -m comment --comment "skiff: unserved service addresses, left to the proxy" -j RETURN`,
        `${f} -s ${c} -m comment --comment "skiff: from pods" -j ACCEPT`,
        `${f} -d ${c} -m comment --comment "skiff: to pods" -j ACCEPT`,
      ],
    },
    {
      table: 'nat',
      chain: MASQ_CHAIN,
      hook: 'POSTROUTING',
      rules: [
        `${n} -s ${c} -d ${c} -m conntrack ! --ctstate DNAT -m comment --comment "skiff: pod to pod, no NAT" -j ACCEPT`,
        `${n} -s ${c} ! -d ${c} -m comment --comment "skiff: pods leaving the cluster" -j MASQUERADE`,
      ],
    },
  ];
}

/** The jump rule from the hook chain to `chain`, in `iptables -S` form. */
export function jumpRule(hook: string, chain: string): string {
  return `-A ${hook} -m comment --comment "${JUMP_COMMENT}" -j ${chain}`;
}

/** What `iptables -S` printed for one of skiff's chains and its hook; undefined = chain missing. */
export interface ObservedChain {
  chain: string[] | undefined;
  hook: string[];
}

/**
 * Rules that may stay above skiff's jump: jumps to other chains of skiff or
 * kube-proxy (the service proxy's own hooks, which only mark, DNAT or
 * masquerade marked traffic) and Docker's DOCKER-USER (empty unless the
 * operator fills it: their policy wins).
 */
const MAY_PRECEDE = /^-A \S+ (?:.* )?-j (?:SKIFF-|KUBE-|DOCKER-USER$)/;

/**
 * Where the jump stands in the hook chain's `-S` output: `ok` (exactly one,
 * preceded only by rules matching MAY_PRECEDE), `missing`, or `misplaced`
 * (another rule above it, or more than one jump).
 */
export function jumpPlacement(
  hook: readonly string[],
  rule: string,
): 'ok' | 'missing' | 'misplaced' {
  const appended = hook.filter((l) => l.startsWith('-A '));
  const at = appended.indexOf(rule);
  if (at < 0) return 'missing';
  if (appended.filter((l) => l === rule).length > 1) return 'misplaced';
  return appended.slice(0, at).every((l) => MAY_PRECEDE.test(l)) ? 'ok' : 'misplaced';
}

/**
 * The `iptables-restore --noflush` payload that makes the kernel match
 * `specs`, touching only skiff's chains and its jumps, or '' when
 * `observed` (keyed by chain name) already matches. A chain that differs is
 * declared (which flushes it) and rewritten whole; a misplaced jump is deleted
 * (every copy) and inserted at position 1; each table is one atomic COMMIT.
 */
export function renderRestorePayload(
  specs: readonly ChainSpec[],
  observed: ReadonlyMap<string, ObservedChain>,
): string {
  const lines: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const body: string[] = [];
    for (const spec of specs.filter((s) => s.table === table)) {
      const seen = observed.get(spec.chain);
      const have = seen?.chain?.filter((l) => l.startsWith('-A '));
      if (!have || have.join('\n') !== spec.rules.join('\n')) {
        body.push(`:${spec.chain} - [0:0]`, ...spec.rules);
      }
      const jump = jumpRule(spec.hook, spec.chain);
      const placement = jumpPlacement(seen?.hook ?? [], jump);
      if (placement === 'ok') continue;
      const copies = (seen?.hook ?? []).filter((l) => l === jump).length;
      for (let i = 0; i < copies; i++) body.push(jump.replace(/^-A /, '-D '));
      body.push(jump.replace(/^-A (\S+)/, '-I $1 1'));
    }
    if (body.length > 0) lines.push(`*${table}`, ...body, 'COMMIT');
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

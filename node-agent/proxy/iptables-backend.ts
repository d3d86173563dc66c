/**
 * Which iptables backend the node uses, decided as kube-proxy's
 * iptables-wrappers do (kubernetes-sigs/iptables-wrappers detect.go), so
 * skiff's rules land where Docker's and the kubelet's already are.
 */
import type { Exec } from './exec-command.ts';
import type { Backend } from './iptables.ts';

// Chains whose presence marks the backend in use: Kubernetes' hints and our own canary.
const HINT = /^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY|SKIFF-PROXY-CANARY) /m;

/** What the detection saw, and its decision. */
export interface BackendDetection {
  backend: Backend;
  /** Why: "hint chain", "more rules", or "iptables --version". */
  reason: string;
  nftRules: number;
  legacyRules: number;
}

/**
 * Decides the backend: (1) a hint chain in the nft rules → nft; (2) one in
 * the legacy rules → legacy; (3) more rules in legacy than in nft → legacy,
 * more in nft → nft; (4) otherwise what `iptables --version` says
 * ("(legacy)" or "(nf_tables)"), nft when it says neither. A command that
 * is missing counts as no rules.
 */
export async function detectBackend(exec: Exec): Promise<BackendDetection> {
  const nft = await exec(['iptables-nft-save']);
  const legacy = await exec(['iptables-legacy-save']);
  const nftText = nft.code === 0 ? nft.stdout : '';
  const legacyText = legacy.code === 0 ? legacy.stdout : '';
  const nftRules = countRules(nftText);
  const legacyRules = countRules(legacyText);
  const seen = { nftRules, legacyRules };
  if (HINT.test(nftText)) return { backend: 'nft', reason: 'hint chain', ...seen };
  if (HINT.test(legacyText)) return { backend: 'legacy', reason: 'hint chain', ...seen };
  if (legacyRules !== nftRules) {
    return { backend: legacyRules > nftRules ? 'legacy' : 'nft', reason: 'more rules', ...seen };
  }
  const v = await exec(['iptables', '--version']);
  const backend = /\(legacy\)/.test(v.stdout) ? 'legacy' : 'nft';
  return { backend, reason: 'iptables --version', ...seen };
}

function countRules(saveText: string): number {
  let n = 0;
  for (const line of saveText.split('\n')) if (line.startsWith('-A ')) n++;
  return n;
}

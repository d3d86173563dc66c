/**
 * The default cluster DNS address, pure and light (the `skiff agent` flag
 * parser uses it before the agent's modules load).
 */
import { intToIp, ipToInt } from '../../control-plane/api/ipv4.ts';

/** Offset of the kube-dns address in the service CIDR: its tenth address, 10.96.0.10 by default. */
const KUBE_DNS_OFFSET = 10;

/**
 * The kube-dns ClusterIP of a service CIDR: its tenth address, as skiff's
 * API server allocates it ("10.96.0.0/16" → "10.96.0.10"). Throws an Error
 * naming the flag for a CIDR that is malformed or too small.
 */
export function clusterDnsAddress(serviceCidr: string): string {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(serviceCidr.trim());
  const base = m ? ipToInt(m[1] as string) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (base === undefined || !(bits >= 8 && bits <= 28)) {
    throw new Error(
      `--service-cidr "${serviceCidr}" is not an IPv4 CIDR from /8 to /28; ` +
        'cluster DNS sits at its tenth address (pass --cluster-dns to choose another)',
    );
  }
  const size = 2 ** (32 - bits);
  return intToIp(base - (base % size) + KUBE_DNS_OFFSET);
}

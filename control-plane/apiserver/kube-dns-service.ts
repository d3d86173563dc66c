/**
 * The `kube-dns` Service (kube-system) that pods' resolv.conf names: the
 * tenth address of the service CIDR (10.96.0.10 by default, where
 * kubeadm, k3s and kind put it), label k8s-app=kube-dns, ports "dns"
 * 53/UDP and "dns-tcp" 53/TCP, no selector. Kubernetes leaves it to an
 * addon; skiff's API server makes it at bootstrap because every node agent
 * serves DNS itself and its proxy sends this service's traffic to that
 * node-local server (node-agent/agent-dns.ts) while the service has no
 * ready endpoints of its own. Users may replace it with their own DNS pods
 * (a selector, or endpoints): an existing kube-dns is never touched.
 */
import { ApiError } from '../api/errors.ts';
import { findResource, storageKey, type ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import { ipAt, type IpRange } from './alloc/cidr.ts';
import type { Claim } from './alloc/service-allocator.ts';
import type { ServiceLike } from './alloc/service-fields.ts';
import type { ApiContext } from './context.ts';
import { ensureObject } from './registry/ensure.ts';
import { systemService } from './system-service.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;

export const KUBE_DNS_NAMESPACE = 'kube-system';
export const KUBE_DNS_NAME = 'kube-dns';
/** Offset of the kube-dns ClusterIP in the allocatable range (offset 0 is the kubernetes service). */
export const KUBE_DNS_OFFSET = 9;

/** The kube-dns ClusterIP of `range` (its tenth address), or undefined when the range is smaller. */
export function kubeDnsIP(range: IpRange): string | undefined {
  return KUBE_DNS_OFFSET < range.count ? ipAt(range, KUBE_DNS_OFFSET) : undefined;
}

/** The kube-dns Service object on `ip`, with the API defaults applied. */
export function kubeDnsService(ip: string): KubeObject {
  return systemService({
    name: KUBE_DNS_NAME,
    namespace: KUBE_DNS_NAMESPACE,
    labels: { 'k8s-app': 'kube-dns' },
    ip,
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
    ],
  });
}

/**
 * Creates kube-system/kube-dns on the tenth service address unless a
 * kube-dns exists (kept as it is, whatever it holds). When that address is
 * held by another Service, no kube-dns is made (one elsewhere would not be
 * where the agents point pods) and the error says how to free it; the next
 * start tries again.
 */
export async function ensureKubeDnsService(ctx: ApiContext): Promise<void> {
  const key = storageKey(SERVICES, KUBE_DNS_NAMESPACE, KUBE_DNS_NAME);
  if (await ctx.store.get(key)) return;
  const ip = kubeDnsIP(ctx.allocator.ipRange);
  if (!ip) {
    ctx.log.warn('The service CIDR is too small for the kube-dns service address', {
      serviceCIDR: ctx.allocator.ipRange.cidr,
      hint: 'use a service CIDR of /28 or larger for cluster DNS at its tenth address',
    });
    return;
  }
  const svc = kubeDnsService(ip);
  let claim: Claim;
  try {
    claim = await ctx.allocator.allocate(svc as ServiceLike, KUBE_DNS_NAME);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // Another API server of the same store may have made it just now.
    if (await ctx.store.get(key)) return;
    ctx.log.error('The kube-dns service address is held by another Service; no kube-dns made', {
      clusterIP: ip,
      err,
      hint: `delete the Service holding ${ip} and restart the API server, or point the agents' --cluster-dns at a DNS service of your own`,
    });
    return;
  }
  try {
    await ensureObject(ctx, SERVICES, svc);
  } catch (err) {
    await claim.rollback();
    throw err;
  }
  await claim.commit();
}

/**
 * What exists from the first start (idempotent on every start): the
 * allocator bitmaps repaired from the stored services, the namespaces
 * default, kube-system, kube-public and kube-node-lease with their
 * `default` ServiceAccounts, and the `kubernetes` service (first address
 * of the service CIDR, port 443 "https") with endpoints pointing at this
 * API server, kept up to date with the address it listens on, and the
 * `kube-dns` service in kube-system (kube-dns-service.ts).
 */
import { applyDefaults } from '../api/defaults.ts';
import { findResource, storageKey, type ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import type { ServiceLike } from './alloc/service-fields.ts';
import type { ApiContext } from './context.ts';
import { ensureKubeDnsService } from './kube-dns-service.ts';
import { systemService } from './system-service.ts';
import { ensureDefaultServiceAccount, KUBERNETES_FINALIZER } from './kinds/namespaces.ts';
import { decodeKv } from './registry/codec.ts';
import { ensureObject } from './registry/ensure.ts';
import { guaranteedUpdate } from './registry/update.ts';

export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const res = (plural: string) => findResource('', 'v1', plural) as ResourceInfo;
const NAMESPACES = res('namespaces');
const SERVICES = res('services');
const ENDPOINTS = res('endpoints');

/** Where clients reach this API server (an IP address and port). */
export interface Advertise {
  ip: string;
  port: number;
}

export async function bootstrap(ctx: ApiContext, adv: Advertise): Promise<void> {
  await repairAllocations(ctx);
  for (const name of BOOTSTRAP_NAMESPACES) {
    await ensureObject(ctx, NAMESPACES, namespace(name));
    await ensureDefaultServiceAccount(ctx, name);
  }
  await ensureKubernetesService(ctx, adv);
  await ensureKubernetesEndpoints(ctx, adv);
  await ensureKubeDnsService(ctx);
  ctx.log.info('Bootstrap objects in place', {
    namespaces: BOOTSTRAP_NAMESPACES,
    apiPort: adv.port,
  });
}

async function repairAllocations(ctx: ApiContext): Promise<void> {
  const list = await ctx.store.list(storageKey(SERVICES));
  const services = list.items.map((kv) => decodeKv(kv) as unknown as ServiceLike);
  await ctx.allocator.repair(services);
}

function namespace(name: string): KubeObject {
  const ns: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: [KUBERNETES_FINALIZER] },
    status: { phase: 'Active' },
  };
  applyDefaults(NAMESPACES, ns);
  return ns;
}

function kubernetesService(ctx: ApiContext, adv: Advertise): KubeObject {
  return systemService({
    name: 'kubernetes',
    namespace: 'default',
    labels: { component: 'apiserver', provider: 'kubernetes' },
    ip: ctx.allocator.firstIP(),
    ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: adv.port }],
  });
}

async function ensureKubernetesService(ctx: ApiContext, adv: Advertise): Promise<void> {
  const key = storageKey(SERVICES, 'default', 'kubernetes');
  if (!(await ctx.store.get(key))) {
    const svc = kubernetesService(ctx, adv);
    try {
      const claim = await ctx.allocator.allocate(svc as ServiceLike, 'kubernetes');
      await claim.commit();
    } catch (err) {
      ctx.log.error('The first service address is taken; the kubernetes service gets another', {
        err: err as Error,
      });
      (svc.spec as Record<string, unknown>).clusterIP = undefined;
      (svc.spec as Record<string, unknown>).clusterIPs = undefined;
      await (await ctx.allocator.allocate(svc as ServiceLike, 'kubernetes')).commit();
    }
    await ensureObject(ctx, SERVICES, svc);
    return;
  }
  // The API server's port may differ from the last start: follow it.
  await guaranteedUpdate(
    ctx,
    { r: SERVICES, namespace: 'default', name: 'kubernetes', dryRun: false },
    (svc) => {
      const ports = ((svc.spec as { ports?: Record<string, unknown>[] }).ports ?? []).map((p) =>
        p.name === 'https' ? { ...p, targetPort: adv.port } : p,
      );
      return { ...svc, spec: { ...(svc.spec as object), ports } };
    },
  );
}

async function ensureKubernetesEndpoints(ctx: ApiContext, adv: Advertise): Promise<void> {
  const subsets = [
    { addresses: [{ ip: adv.ip }], ports: [{ name: 'https', port: adv.port, protocol: 'TCP' }] },
  ];
  const created = await ensureObject(ctx, ENDPOINTS, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets,
  });
  if (JSON.stringify(created.subsets) === JSON.stringify(subsets)) return;
  await guaranteedUpdate(
    ctx,
    { r: ENDPOINTS, namespace: 'default', name: 'kubernetes', dryRun: false },
    (ep) => ({
      ...ep,
      subsets,
    }),
  );
}

/**
 * The Services the API server makes itself at bootstrap (`kubernetes`,
 * `kube-dns`): a ClusterIP Service on a fixed address, built the same way
 * for each, with the API defaults applied as for a created one.
 */
import { applyDefaults } from '../api/defaults.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;

export interface SystemServiceSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Its ClusterIP. */
  ip: string;
  ports: { name: string; port: number; protocol: 'TCP' | 'UDP'; targetPort: number }[];
}

/** The Service object of `s` (pure). */
export function systemService(s: SystemServiceSpec): KubeObject {
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: s.ip,
      clusterIPs: [s.ip],
      ports: s.ports,
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  };
  applyDefaults(SERVICES, svc);
  return svc;
}

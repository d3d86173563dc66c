/**
 * The kind-specific hooks of the generic registry, by resource. Kinds not
 * listed get plain CRUD.
 */
import type { ResourceInfo } from '../../api/resources.ts';
import type { KindHooks } from '../registry/hooks.ts';
import { namespaceHooks } from './namespaces.ts';
import { podHooks } from './pods.ts';
import { serviceHooks } from './services.ts';
import { workloadHooks } from './workloads.ts';

const NONE: KindHooks = {};

const HOOKS: Record<string, KindHooks> = {
  '/namespaces': namespaceHooks,
  '/pods': podHooks,
  '/services': serviceHooks,
  '/nodes': { createKeepsStatus: true },
  '/serviceaccounts': { returnDeletedObject: true },
  // These kinds allow create-on-update (AllowCreateOnUpdate in their strategies).
  '/endpoints': { allowCreateOnUpdate: true },
  '/events': { allowCreateOnUpdate: true },
  'coordination.k8s.io/leases': { allowCreateOnUpdate: true },
  'apps/deployments': workloadHooks({}),
  'apps/replicasets': workloadHooks({ replicas: 0 }),
  'apps/daemonsets': workloadHooks({
    currentNumberScheduled: 0,
    desiredNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
  }),
  'batch/jobs': workloadHooks({}),
};

export function hooksFor(r: ResourceInfo): KindHooks {
  return HOOKS[`${r.group}/${r.plural}`] ?? NONE;
}

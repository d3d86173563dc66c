/**
 * pods/binding (what the scheduler posts): assigns a pod to a node by
 * setting spec.nodeName once, marks it PodScheduled and merges the
 * binding's annotations. A pod already bound, or being deleted, is a 409.
 */
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { timestamp, type ApiContext } from '../context.ts';
import { asRecord, rawMeta } from '../registry/admit.ts';
import { checkPreconditions, guaranteedUpdate, type UpdateTarget } from '../registry/update.ts';

export async function bindPod(ctx: ApiContext, t: UpdateTarget, body: unknown): Promise<void> {
  const binding = asRecord(body);
  const meta = rawMeta(binding);
  if (meta.name !== undefined && meta.name !== '' && meta.name !== t.name) {
    throw ApiError.badRequest('name in URL does not match name in Binding object');
  }
  const target = (binding.target ?? {}) as { kind?: unknown; name?: unknown };
  const node = target.name;
  if (typeof node !== 'string' || node === '') {
    throw ApiError.invalid('Binding', t.name, [
      { reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' },
    ]);
  }
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node') {
    throw ApiError.invalid('Binding', t.name, [
      {
        reason: 'FieldValueNotSupported',
        field: 'target.kind',
        message: `Unsupported value: ${JSON.stringify(target.kind)}: supported values: "Node", "<empty>"`,
      },
    ]);
  }
  const annotations = (meta.annotations ?? {}) as Record<string, string>;
  await guaranteedUpdate(ctx, t, (pod) => {
    checkPreconditions(t.r, t.name, pod, { uid: meta.uid });
    return assign(ctx, pod, node, annotations);
  });
}

function assign(
  ctx: ApiContext,
  pod: KubeObject,
  node: string,
  annotations: Record<string, string>,
): KubeObject {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const conflict = (why: string) =>
    ApiError.conflict({ kind: 'pods/binding', name: pod.metadata.name ?? '' }, why);
  if (pod.metadata.deletionTimestamp) {
    throw conflict(`pod ${pod.metadata.name ?? ''} is being deleted, cannot be assigned to a host`);
  }
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') {
    throw conflict(`pod ${pod.metadata.name ?? ''} is already assigned to node "${spec.nodeName}"`);
  }
  spec.nodeName = node;
  pod.spec = spec;
  if (Object.keys(annotations).length) {
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
  }
  const status = (pod.status ?? {}) as { conditions?: Record<string, unknown>[] };
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  conditions.push({
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: timestamp(ctx.now()),
  });
  status.conditions = conditions;
  pod.status = status;
  return pod;
}

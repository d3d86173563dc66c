/**
 * The scale subresource of Deployments and ReplicaSets: an autoscaling/v1
 * Scale read from the object (status.selector as a label selector string,
 * as `kubectl scale` and autoscalers expect) and written back into
 * spec.replicas.
 */
import { ApiError } from '../../api/errors.ts';
import { schemaForSubresource } from '../../api/schemas/index.ts';
import { formatLabelSelector, labelSelectorFromSpec } from '../../api/selectors.ts';
import type { KubeObject, LabelSelector } from '../../api/types.ts';
import type { PatchType } from '../body.ts';
import type { ApiContext } from '../context.ts';
import { applyPatch } from '../patch/index.ts';
import { asRecord, rawMeta } from '../registry/admit.ts';
import { nextGeneration } from '../registry/object-meta.ts';
import { checkPreconditions, guaranteedUpdate, type UpdateTarget } from '../registry/update.ts';

/** The Scale view of a Deployment or ReplicaSet. */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: unknown; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: unknown };
  const m = obj.metadata;
  let selector = '';
  try {
    selector = formatLabelSelector(
      labelSelectorFromSpec((spec.selector ?? null) as LabelSelector | null),
    );
  } catch {
    selector = '';
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector },
  };
}

/** Writes a Scale (PUT) or a patch of it (PATCH); returns the new Scale. */
export async function writeScale(
  ctx: ApiContext,
  t: UpdateTarget,
  change: { body: unknown } | { patchType: PatchType; patch: unknown },
): Promise<KubeObject> {
  const result = await guaranteedUpdate(ctx, t, (existing) => {
    const current = scaleOf(existing);
    const scale =
      'body' in change
        ? asRecord(change.body)
        : asRecord(
            applyPatch(t.r, current, change.patchType, change.patch, {
              schema: schemaForSubresource('scale'),
            }),
            'the patched Scale',
          );
    const meta = rawMeta(scale);
    if (meta.name !== undefined && meta.name !== '' && meta.name !== t.name) {
      throw ApiError.badRequest(
        `the name of the object (${String(meta.name)}) does not match the name on the URL (${t.name})`,
      );
    }
    checkPreconditions(t.r, t.name, existing, {
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    });
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas ?? 0;
    checkReplicas(t.name, replicas);
    const next = {
      ...existing,
      spec: { ...((existing.spec as object | undefined) ?? {}), replicas },
    };
    next.metadata = { ...next.metadata, generation: nextGeneration(next, existing) };
    return next;
  });
  return scaleOf(result.object);
}

function checkReplicas(name: string, replicas: unknown): asserts replicas is number {
  if (
    typeof replicas === 'number' &&
    Number.isInteger(replicas) &&
    replicas >= 0 &&
    replicas <= 2 ** 31 - 1
  )
    return;
  const detail =
    typeof replicas === 'number' && replicas < 0
      ? 'must be greater than or equal to 0'
      : 'must be a whole number';
  throw new ApiError(
    'Invalid',
    `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: ${detail}`,
    {
      name,
      group: 'autoscaling',
      kind: 'Scale',
      causes: [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: ${detail}`,
        },
      ],
    },
  );
}

/**
 * The payload of each projected kind of volume (pure): configMap, secret,
 * downwardAPI, and projected (several of those merged). The volume manager
 * writes the result with the atomic writer.
 */
import type { Pod, Volume } from '../../control-plane/api/types.ts';
import {
  containerResourceValue,
  podFieldValue,
  type NodeAllocatable,
  type PodAddresses,
} from './downward-api.ts';
import type { PodObjects } from './pod-objects.ts';
import {
  DEFAULT_MODE,
  checkedPath,
  configMapPayload,
  secretPayload,
  type Payload,
} from './volume-payload.ts';

type DownwardItems = NonNullable<NonNullable<Volume['downwardAPI']>['items']>;

export interface PayloadInputs extends PodAddresses {
  objects: PodObjects;
  allocatable?: NodeAllocatable;
}

/** The files of `volume` if it is a projected kind, else undefined. Throws with the plugin's message. */
export function volumePayload(
  pod: Pod,
  volume: Volume,
  inputs: PayloadInputs,
): Payload | undefined {
  if (volume.configMap) {
    const src = volume.configMap;
    return configMapPayload(
      src.items,
      required(inputs.objects.configMap(src.name ?? ''), 'configmap', src.name, src.optional),
      src.defaultMode ?? DEFAULT_MODE,
      src.optional === true,
    );
  }
  if (volume.secret) {
    const src = volume.secret;
    return secretPayload(
      src.items,
      required(inputs.objects.secret(src.secretName ?? ''), 'secret', src.secretName, src.optional),
      src.defaultMode ?? DEFAULT_MODE,
      src.optional === true,
    );
  }
  if (volume.downwardAPI) {
    const src = volume.downwardAPI;
    return downwardPayload(pod, src.items ?? [], src.defaultMode ?? DEFAULT_MODE, inputs);
  }
  if (volume.projected) return projectedPayload(pod, volume.projected, inputs);
  return undefined;
}

function projectedPayload(
  pod: Pod,
  src: NonNullable<Volume['projected']>,
  inputs: PayloadInputs,
): Payload {
  const mode = src.defaultMode ?? DEFAULT_MODE;
  const out: Payload = new Map();
  for (const s of src.sources ?? []) {
    let part: Payload = new Map();
    if (s.configMap) {
      const c = s.configMap;
      const obj = required(inputs.objects.configMap(c.name ?? ''), 'configmap', c.name, c.optional);
      part = configMapPayload(c.items, obj, mode, c.optional === true);
    } else if (s.secret) {
      const c = s.secret;
      const obj = required(inputs.objects.secret(c.name ?? ''), 'secret', c.name, c.optional);
      part = secretPayload(c.items, obj, mode, c.optional === true);
    } else if (s.downwardAPI) {
      part = downwardPayload(pod, s.downwardAPI.items ?? [], mode, inputs);
    }
    // serviceAccountToken and clusterTrustBundle need APIs skiff does not serve yet.
    for (const [k, v] of part) out.set(k, v);
  }
  return out;
}

function downwardPayload(
  pod: Pod,
  items: DownwardItems,
  defaultMode: number,
  inputs: PayloadInputs,
): Payload {
  const out: Payload = new Map();
  for (const item of items) {
    let text = '';
    if (item.fieldRef) text = podFieldValue(pod, item.fieldRef.fieldPath, inputs);
    else if (item.resourceFieldRef) {
      const r = item.resourceFieldRef;
      const c = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find(
        (x) => x.name === r.containerName,
      );
      if (!c) throw new Error(`container "${r.containerName ?? ''}" not found in pod`);
      text = containerResourceValue(c, r.resource, r.divisor, inputs.allocatable);
    }
    out.set(checkedPath(item.path), { data: Buffer.from(text), mode: item.mode ?? defaultMode });
  }
  return out;
}

// The object, or an Error worded as the API's NotFound unless optional.
function required<T>(
  obj: T | undefined,
  kind: 'configmap' | 'secret',
  name: string | undefined,
  optional: boolean | undefined,
): T | undefined {
  if (obj === undefined && !optional) throw new Error(`${kind} "${name ?? ''}" not found`);
  return obj;
}

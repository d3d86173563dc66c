/**
 * A container's environment, resolved as the kubelet does
 * (makeEnvironmentVariables, pure): envFrom sources first (later ones win),
 * then env in order, where a plain value may use `$(VAR)` of anything
 * defined before it, and valueFrom reads a ConfigMap or Secret key, a pod
 * field or a container resource. A missing object or key that is not
 * `optional` fails with CreateContainerConfigError and Kubernetes' message.
 */
import type { Container, EnvFromSource, EnvVar, Pod } from '../../control-plane/api/types.ts';
import {
  containerResourceValue,
  podFieldValue,
  type NodeAllocatable,
  type PodAddresses,
} from './downward-api.ts';
import { expandVars } from './expansion.ts';
import {
  configMapEntries,
  configMapValue,
  secretEntries,
  secretValue,
  type PodObjects,
} from './pod-objects.ts';
import type { EnvPair } from './runtime/runtime.ts';
import { SyncError } from './sync-error.ts';

// utilvalidation.IsEnvVarName (C identifiers plus '-' and '.').
const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export interface EnvInputs extends PodAddresses {
  objects: PodObjects;
  allocatable?: NodeAllocatable;
}

/** The resolved env, and warnings for the pod's events (skipped invalid names). */
export interface ResolvedEnv {
  env: EnvPair[];
  warnings: string[];
}

/** Resolves `container`'s env; throws SyncError CreateContainerConfigError. */
export function resolveEnv(pod: Pod, container: Container, inputs: EnvInputs): ResolvedEnv {
  const vars = new Map<string, string>();
  const warnings: string[] = [];
  for (const source of container.envFrom ?? []) {
    const w = addEnvFrom(vars, pod, source, inputs.objects);
    if (w) warnings.push(w);
  }
  for (const v of container.env ?? []) {
    const value = envValue(vars, pod, container, v, inputs);
    if (value !== undefined) vars.set(v.name, value);
  }
  return { env: [...vars].map(([name, value]) => ({ name, value })), warnings };
}

function addEnvFrom(
  vars: Map<string, string>,
  pod: Pod,
  source: EnvFromSource,
  objects: PodObjects,
): string | undefined {
  const ref = source.configMapRef ?? source.secretRef;
  if (!ref) return undefined;
  const isConfigMap = source.configMapRef !== undefined;
  const name = ref.name ?? '';
  const cm = isConfigMap ? objects.configMap(name) : undefined;
  const secret = isConfigMap ? undefined : objects.secret(name);
  if (!cm && !secret) {
    if (ref.optional) return undefined;
    throw configError(`${isConfigMap ? 'configmap' : 'secret'} "${name}" not found`);
  }
  const entries = cm ? configMapEntries(cm) : secret ? secretEntries(secret) : [];
  const invalid: string[] = [];
  for (const [key, bytes] of entries) {
    const k = (source.prefix ?? '') + key;
    if (!ENV_NAME_RE.test(k)) invalid.push(k);
    else vars.set(k, bytes.toString('utf8'));
  }
  if (invalid.length === 0) return undefined;
  return (
    `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${isConfigMap ? 'configMap' : 'secret'} ` +
    `${pod.metadata.namespace ?? ''}/${name} were skipped since they are considered invalid environment variable names.`
  );
}

// The value of one env entry, or undefined when an optional source is missing.
function envValue(
  vars: Map<string, string>,
  pod: Pod,
  container: Container,
  v: EnvVar,
  inputs: EnvInputs,
): string | undefined {
  if (v.value) return expandVars(v.value, (n) => vars.get(n));
  const from = v.valueFrom;
  if (!from) return '';
  const ns = pod.metadata.namespace ?? '';
  if (from.fieldRef) return guard(() => podFieldValue(pod, from.fieldRef?.fieldPath ?? '', inputs));
  if (from.resourceFieldRef) {
    const r = from.resourceFieldRef;
    const target = r.containerName
      ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find(
          (c) => c.name === r.containerName,
        )
      : container;
    if (!target) throw configError(`container "${r.containerName ?? ''}" not found in pod`);
    return guard(() => containerResourceValue(target, r.resource, r.divisor, inputs.allocatable));
  }
  if (from.configMapKeyRef) {
    const { name = '', key, optional } = from.configMapKeyRef;
    const cm = inputs.objects.configMap(name);
    if (!cm) {
      if (optional) return undefined;
      throw configError(`configmap "${name}" not found`);
    }
    const bytes = configMapValue(cm, key);
    if (bytes === undefined) {
      if (optional) return undefined;
      throw configError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return bytes.toString('utf8');
  }
  if (from.secretKeyRef) {
    const { name = '', key, optional } = from.secretKeyRef;
    const secret = inputs.objects.secret(name);
    if (!secret) {
      if (optional) return undefined;
      throw configError(`secret "${name}" not found`);
    }
    const bytes = secretValue(secret, key);
    if (bytes === undefined) {
      if (optional) return undefined;
      throw configError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return bytes.toString('utf8');
  }
  return '';
}

function guard(fn: () => string): string {
  try {
    return fn();
  } catch (err) {
    throw configError(err instanceof Error ? err.message : String(err));
  }
}

function configError(message: string): SyncError {
  return new SyncError('CreateContainerConfigError', message);
}

/**
 * Container identity in labels and names. Every container skiff creates
 * carries these labels, so the agent can adopt what runs after a restart,
 * and a deterministic name, so that a create repeated after a crash is
 * refused by the engine instead of running twice (as cri-dockerd names
 * containers k8s_<container>_<pod>_<namespace>_<uid>_<attempt>).
 */
import type { Pod } from '../../../control-plane/api/types.ts';
import type { ContainerIdentity } from './runtime.ts';

export const LABEL_POD_UID = 'io.skiff.pod.uid';
export const LABEL_POD_NAMESPACE = 'io.skiff.pod.namespace';
export const LABEL_POD_NAME = 'io.skiff.pod.name';
export const LABEL_CONTAINER_NAME = 'io.skiff.container.name';
export const LABEL_ATTEMPT = 'io.skiff.container.attempt';
export const LABEL_NODE_NAME = 'io.skiff.node.name';
export const LABEL_HASH = 'io.skiff.container.hash';
export const LABEL_HASH_VERSION = 'io.skiff.container.hash-version';

/** The container name of a pod's sandbox, as in Kubernetes. */
export const SANDBOX_CONTAINER_NAME = 'POD';
/** Prefix of every container name skiff creates. */
export const NAME_PREFIX = 'skiff';

/** The labels of one container of `pod`. */
export function containerLabels(
  pod: Pod,
  id: Pick<ContainerIdentity, 'containerName' | 'attempt' | 'nodeName' | 'hash' | 'hashVersion'>,
): Record<string, string> {
  return {
    [LABEL_POD_UID]: pod.metadata.uid ?? '',
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default',
    [LABEL_POD_NAME]: pod.metadata.name ?? '',
    [LABEL_CONTAINER_NAME]: id.containerName,
    [LABEL_ATTEMPT]: String(id.attempt),
    [LABEL_NODE_NAME]: id.nodeName,
    [LABEL_HASH]: id.hash,
    [LABEL_HASH_VERSION]: id.hashVersion,
  };
}

/**
 * The identity in `labels`, or undefined when they are not a complete set
 * of skiff's labels (a container skiff did not create, or one damaged by
 * hand, which the agent then leaves alone).
 */
export function parseContainerLabels(
  labels: Readonly<Record<string, string>> | null | undefined,
): ContainerIdentity | undefined {
  if (!labels) return undefined;
  const podUid = labels[LABEL_POD_UID];
  const podNamespace = labels[LABEL_POD_NAMESPACE];
  const podName = labels[LABEL_POD_NAME];
  const containerName = labels[LABEL_CONTAINER_NAME];
  const nodeName = labels[LABEL_NODE_NAME];
  const attemptText = labels[LABEL_ATTEMPT] ?? '';
  if (!podUid || !podNamespace || !podName || !containerName || nodeName === undefined) {
    return undefined;
  }
  if (!/^\d{1,9}$/.test(attemptText)) return undefined;
  return {
    podUid,
    podNamespace,
    podName,
    containerName,
    attempt: Number(attemptText),
    nodeName,
    hash: labels[LABEL_HASH] ?? '',
    hashVersion: labels[LABEL_HASH_VERSION] ?? '',
  };
}

/**
 * The engine-side name `skiff_<container>_<pod>_<namespace>_<uid8>_<attempt>`.
 * Pod, namespace and container names are DNS labels/subdomains, which the
 * engine's name rule ([a-zA-Z0-9][a-zA-Z0-9_.-]*) accepts as they are.
 */
export function containerEngineName(pod: Pod, containerName: string, attempt: number): string {
  const uid8 = (pod.metadata.uid ?? '').replace(/-/g, '').slice(0, 8);
  return [
    NAME_PREFIX,
    containerName,
    pod.metadata.name ?? '',
    pod.metadata.namespace ?? 'default',
    uid8,
    String(attempt),
  ].join('_');
}

/** The engine's label filter selecting this node's containers (and a pod's, if given). */
export function labelFilter(nodeName: string, podUid?: string): string[] {
  const filter = [`${LABEL_NODE_NAME}=${nodeName}`];
  if (podUid !== undefined) filter.push(`${LABEL_POD_UID}=${podUid}`);
  return filter;
}

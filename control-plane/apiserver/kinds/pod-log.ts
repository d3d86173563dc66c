/**
 * pods/log. Logs live on the pod's node and are read through its kubelet
 * API, which arrives with the kubelet; until then the answer is a clear
 * Status naming the node (503), or 400 for a pod that is not on a node yet
 * or a container the pod does not have.
 */
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';

/** Throws the Status that answers a log request for `pod`. */
export function podLogUnavailable(pod: KubeObject, container: string | undefined): never {
  const name = pod.metadata.name ?? '';
  const spec = (pod.spec ?? {}) as {
    containers?: { name?: string }[];
    initContainers?: { name?: string }[];
    nodeName?: string;
  };
  const names = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map(
    (c) => c.name ?? '',
  );
  const main = (spec.containers ?? []).map((c) => c.name ?? '');
  if (container === undefined && main.length > 1) {
    throw ApiError.badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`,
    );
  }
  const chosen = container ?? main[0] ?? '';
  if (container !== undefined && !names.includes(container)) {
    throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (!spec.nodeName) {
    throw ApiError.badRequest(
      `container "${chosen}" in pod "${name}" is waiting to start: the pod is not scheduled to a node yet`,
    );
  }
  throw new ApiError(
    'ServiceUnavailable',
    `the kubelet API of node "${spec.nodeName}" is not reachable yet: this skiff version does not forward pod logs from kubelets`,
    { name, kind: 'pods', retryAfterSeconds: 0 },
  );
}

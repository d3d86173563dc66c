/**
 * The ConfigMaps and Secrets a pod refers to, read from the API when a
 * container of the pod starts (env, envFrom, configMap/secret/projected
 * volumes). Only referenced objects are read, never every Secret of the
 * cluster. The last copy read is kept, so a container can still be
 * (re)started from it while the API server is away.
 */
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { isApiError } from '../../control-plane/api/errors.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { ConfigMap, Pod, Secret } from '../../control-plane/api/types.ts';
import { podObjects, type PodObjects } from './pod-objects.ts';

const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
const SECRETS = findResource('', 'v1', 'secrets') as ResourceInfo;

/** The names of the ConfigMaps and Secrets `pod` refers to (pure). */
export function podReferences(pod: Pod): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef?.name;
      const s = e.valueFrom?.secretKeyRef?.name;
      if (cm) configMaps.add(cm);
      if (s) secrets.add(s);
    }
  }
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  return { configMaps, secrets };
}

/** Reads referenced objects through `client`, falling back to the last copy read. */
export class PodObjectSource {
  private readonly client: ApiClient;
  private readonly kept = new Map<string, ConfigMap | Secret | null>();

  constructor(client: ApiClient) {
    this.client = client;
  }

  /** The objects `pod` refers to; a missing one is absent (the env or volume code reports it). */
  async forPod(pod: Pod): Promise<PodObjects> {
    const ns = pod.metadata.namespace ?? 'default';
    const refs = podReferences(pod);
    const read = (r: ResourceInfo, names: Set<string>) =>
      Promise.all([...names].map((n) => this.read(r, ns, n)));
    const [cms, ss] = await Promise.all([
      read(CONFIGMAPS, refs.configMaps),
      read(SECRETS, refs.secrets),
    ]);
    return podObjects(
      cms.filter((x): x is ConfigMap => x !== null),
      ss.filter((x): x is Secret => x !== null),
    );
  }

  private async read(
    r: ResourceInfo,
    ns: string,
    name: string,
  ): Promise<ConfigMap | Secret | null> {
    const key = `${r.plural}/${ns}/${name}`;
    try {
      const obj = await this.client.get<ConfigMap | Secret>(r, name, { namespace: ns });
      this.kept.set(key, obj);
      return obj;
    } catch (err) {
      if (isApiError(err, 'NotFound')) {
        this.kept.set(key, null);
        return null;
      }
      const last = this.kept.get(key);
      if (last !== undefined) return last;
      throw err;
    }
  }
}

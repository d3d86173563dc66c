/**
 * One pod's status write, as the status manager does it: a PUT of
 * pods/status carrying the pod's UID and its newest known resourceVersion,
 * so it never lands on another pod of the same name and never overwrites a
 * condition another writer added in between; on 409 Conflict the pod is
 * read again, the status merged over it again (status-merge.ts) and put
 * again.
 */
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { ApiError } from '../../control-plane/api/errors.ts';
import { findResource, type ResourceInfo } from '../../control-plane/api/resources.ts';
import type { Pod, PodStatus } from '../../control-plane/api/types.ts';
import { statusEqual } from './pod-status.ts';
import { mergePodStatus } from './status-merge.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
/** Conflicts in a row before a write gives up (the caller retries later). */
const MAX_CONFLICTS = 5;

/** What is known of one pod's status on both sides. */
export interface StatusRecord {
  /** The newest version of the pod known (from a sync, a write's answer or a read). */
  pod: Pod;
  /** The latest status the kubelet set. */
  status?: PodStatus;
  /** The last status written, and the resourceVersion the server answered with. */
  sent?: { status: PodStatus; rv: string | undefined };
  /** The pod is gone from the API (404, or its name now has another UID). */
  gone: boolean;
}

/**
 * Whether the record's status differs from the server's. A status equal to
 * the one last written counts as written while the pod is unchanged since,
 * even if the server stored it normalized.
 */
export function needsWrite(r: StatusRecord): boolean {
  if (!r.status || r.gone) return false;
  const merged = mergePodStatus(r.pod.status, r.status);
  if (statusEqual(merged, r.pod.status)) return false;
  const sent = r.sent;
  return !(sent && sent.rv === r.pod.metadata.resourceVersion && statusEqual(merged, sent.status));
}

/**
 * Writes until the server has the record's latest status (a status set
 * meanwhile is written too). Resolves 'gone' when the pod is gone or its
 * name has another UID (`r.gone` set), else 'done'; throws other failures
 * (no connection, 5xx, a refusal, constant conflicts).
 */
export async function writeStatus(client: ApiClient, r: StatusRecord): Promise<'done' | 'gone'> {
  const uid = r.pod.metadata.uid;
  for (let conflicts = 0; r.status && needsWrite(r);) {
    const status = mergePodStatus(r.pod.status, r.status);
    try {
      const body: Pod = { ...r.pod, metadata: { ...r.pod.metadata, uid }, status };
      r.pod = await client.updateStatus(PODS, body);
      r.sent = { status, rv: r.pod.metadata.resourceVersion };
    } catch (err) {
      if (!(err instanceof ApiError) || (err.code !== 409 && err.code !== 404)) throw err;
      if (err.code === 404) r.gone = true;
      else if (++conflicts >= MAX_CONFLICTS) throw err;
      else await reread(client, r);
    }
  }
  return r.gone ? 'gone' : 'done';
}

// Reads the pod again; marks the record gone when the pod is gone or has another UID.
async function reread(client: ApiClient, r: StatusRecord): Promise<void> {
  const m = r.pod.metadata;
  try {
    const fresh = await client.get<Pod>(PODS, m.name ?? '', { namespace: m.namespace });
    if (fresh.metadata.uid === m.uid) r.pod = fresh;
    else r.gone = true;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
    r.gone = true;
  }
}

/** The newer of two copies of one pod, by resourceVersion (the store revision). */
export function newerPod(a: Pod, b: Pod): Pod {
  if (a.metadata.uid !== b.metadata.uid) return b;
  const ra = Number(a.metadata.resourceVersion);
  const rb = Number(b.metadata.resourceVersion);
  if (Number.isFinite(ra) && Number.isFinite(rb)) return rb >= ra ? b : a;
  return b;
}

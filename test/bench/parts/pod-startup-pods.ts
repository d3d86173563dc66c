/**
 * Pods for the pod-startup benchmark: one echo container, no probes, bound
 * to the node directly (no scheduler). `startPod` times the create request
 * to the Running phase seen through the watch; `deletePod` deletes with
 * grace 0 and waits until the pod is gone from the API and every container
 * of its UID is gone from the node's Docker, so pods never pile up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { ApiClient } from '../../../control-plane/api/client/client.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Pod } from '../../../control-plane/api/types.ts';
import { ECHO_IMAGE } from '../../../deploy/local-cluster/index.ts';
import { LABEL_POD_UID } from '../../../node-agent/kubelet/runtime/labels.ts';
import type { PodWatch } from './pod-startup-watch.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
export const NAMESPACE = 'default';
/** Longest wait for one pod to run or go (a loaded machine is slow, not broken). */
const WAIT_MS = 90_000;

/** One timed start. */
export interface PodStart {
  name: string;
  uid: string;
  /** Create request sent → Running seen through the watch. */
  ms: number;
  /** Create request sent → its answer. */
  createMs: number;
  /** Date.now() when the create request was sent, and when Running was seen. */
  sentWall: number;
  seenWall: number;
}

/** The benchmark's pod `name` on node `nodeName`. */
export function benchPod(name: string, nodeName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'skiff-bench-pod-startup' } },
    spec: {
      nodeName,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: ECHO_IMAGE }],
    },
  };
}

/** Creates pod `name` and resolves once the watch saw it Running. */
export async function startPod(
  client: ApiClient,
  watch: PodWatch,
  name: string,
  nodeName: string,
): Promise<PodStart> {
  const sentWall = Date.now();
  const t0 = performance.now();
  const created = await client.create(PODS, benchPod(name, nodeName), { namespace: NAMESPACE });
  const createMs = performance.now() - t0;
  const at = await watch.running(name, WAIT_MS);
  const ms = at - t0;
  return { name, uid: created.metadata.uid ?? '', ms, createMs, sentWall, seenWall: sentWall + ms };
}

/** Delete request sent → DELETED seen, and → no container of the pod left (polled). */
export interface PodDeletion {
  goneMs: number;
  removedMs: number;
}

/** Deletes the pod (grace 0); resolves when it and its containers are gone. */
export async function deletePod(
  client: ApiClient,
  watch: PodWatch,
  docker: Docker,
  pod: Pick<PodStart, 'name' | 'uid'>,
): Promise<PodDeletion> {
  const t0 = performance.now();
  await client.delete(PODS, pod.name, { namespace: NAMESPACE, gracePeriodSeconds: 0 });
  const goneMs = (await watch.gone(pod.name, WAIT_MS)) - t0;
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_POD_UID}=${pod.uid}`] },
    });
    if (left.length === 0) return { goneMs, removedMs: performance.now() - t0 };
    if (performance.now() > deadline) {
      throw new Error(
        `pod ${pod.name}: ${left.length} containers still on the node ${WAIT_MS} ms after its deletion ` +
          `(${left.map((c) => `${c.Names.join(',')} ${c.State}`).join('; ')}): see the agent log`,
      );
    }
    await sleep(50);
  }
}

// Small readers of pods and events shared by the agent's end-to-end suites.
import type {
  ContainerStatus,
  KubeObject,
  Pod,
  PodSpec,
} from '../../../control-plane/api/types.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import { PODS, type AgentCluster } from '../fixtures/agent-cluster.ts';

const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;

/** A pod in "default" bound to node n1 (no scheduler involved). */
export function podManifest(name: string, spec: PodSpec, nodeName = 'n1'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { nodeName, terminationGracePeriodSeconds: 5, ...spec },
  };
}

/** The status of container `name` (app or init). */
export function containerStatus(p: Pod, name: string): ContainerStatus | undefined {
  return [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].find(
    (s) => s.name === name,
  );
}

/** The waiting state of container `name`, if it waits. */
export function waiting(p: Pod, name: string): { reason?: string; message?: string } | undefined {
  return containerStatus(p, name)?.state?.waiting;
}

interface EventLike extends KubeObject {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  involvedObject?: { name?: string };
}

/** Events about pod `name` in "default". */
export async function eventsOf(c: AgentCluster, name: string): Promise<EventLike[]> {
  const list = await c.client.list<EventLike>(EVENTS, { namespace: 'default' });
  return list.items.filter((e) => e.involvedObject?.name === name);
}

/** Polls the events of pod `name` until `ok` holds (bounded); resolves to them. */
export async function waitEvents(
  c: AgentCluster,
  name: string,
  ok: (events: EventLike[]) => boolean,
  ms = 30_000,
): Promise<EventLike[]> {
  const deadline = Date.now() + ms;
  let events: EventLike[] = [];
  while (Date.now() < deadline) {
    events = await eventsOf(c, name);
    if (ok(events)) return events;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `events of ${name} not as expected within ${ms} ms: ${events.map((e) => `${e.reason}: ${e.message}`).join(' | ')}`,
  );
}

/** Every waiting reason container `container` of pod `name` shows, in order, seen through a watch. */
export function watchWaitingReasons(
  c: AgentCluster,
  name: string,
  container: string,
): { waitFor(reasons: string[], ms?: number): Promise<void>; stop(): void } {
  const ac = new AbortController();
  const seen: string[] = [];
  void (async () => {
    try {
      for await (const ev of c.client.watch<Pod>(PODS, {
        namespace: 'default',
        fieldSelector: `metadata.name=${name}`,
        signal: ac.signal,
      })) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const r = waiting(ev.object, container)?.reason;
        if (r && seen.at(-1) !== r) seen.push(r);
      }
    } catch {
      // stopped
    }
  })();
  return {
    async waitFor(reasons, ms = 60_000) {
      const deadline = Date.now() + ms;
      const inOrder = () => {
        let i = 0;
        for (const r of seen) if (r === reasons[i]) i++;
        return i === reasons.length;
      };
      while (!inOrder()) {
        if (Date.now() > deadline)
          throw new Error(`pod ${name}: waiting reasons ${reasons} not seen; saw ${seen}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => ac.abort(),
  };
}

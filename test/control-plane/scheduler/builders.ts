/**
 * Small builders of Node and Pod objects for scheduler tests, in the shape
 * the API server stores them (types from control-plane/api/types.ts).
 */
import type { Affinity, Node, Pod, Taint, Toleration } from '../../../control-plane/api/types.ts';
import { ClusterSnapshot } from '../../../control-plane/scheduler/snapshot.ts';

export interface NodeSpecInput {
  cpu?: string;
  memory?: string;
  pods?: number;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** Ready condition status; null leaves the condition out. Default 'True'. */
  ready?: 'True' | 'False' | 'Unknown' | null;
}

export function node(name: string, o: NodeSpecInput = {}): Node {
  const ready = o.ready === undefined ? 'True' : o.ready;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: {
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      allocatable: {
        cpu: o.cpu ?? '4',
        memory: o.memory ?? '8Gi',
        pods: String(o.pods ?? 110),
        ...o.extra,
      },
      conditions: ready === null ? [] : [{ type: 'Ready', status: ready }],
    },
  };
}

export interface PodSpecInput {
  namespace?: string;
  cpu?: string;
  memory?: string;
  extra?: Record<string, string>;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostPorts?: { port: number; protocol?: string; hostIP?: string }[];
  labels?: Record<string, string>;
  priority?: number;
  preemptionPolicy?: string;
  /** uid of a controlling ReplicaSet owner. */
  owner?: string;
  created?: string;
  phase?: string;
}

export function pod(name: string, o: PodSpecInput = {}): Pod {
  const requests: Record<string, string> = { ...o.extra };
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'rs',
                uid: o.owner,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'busybox',
          resources: Object.keys(requests).length > 0 ? { requests } : {},
          ...(o.hostPorts
            ? {
                ports: o.hostPorts.map((p) => ({
                  containerPort: p.port,
                  hostPort: p.port,
                  ...(p.protocol ? { protocol: p.protocol } : {}),
                  ...(p.hostIP ? { hostIP: p.hostIP } : {}),
                })),
              }
            : {}),
        },
      ],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
    },
    status: { phase: o.phase ?? (o.nodeName ? 'Running' : 'Pending') },
  };
}

/** A snapshot holding `nodes` and the bound pods `pods`. */
export function snapshotOf(nodes: Node[], pods: Pod[] = []): ClusterSnapshot {
  const s = new ClusterSnapshot();
  for (const n of nodes) s.upsertNode(n);
  for (const p of pods) s.upsertPod(p);
  return s;
}

/** Required node affinity of one term with these label expressions. */
export function requireExpr(key: string, operator: string, values?: string[]): Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] },
        ],
      },
    },
  };
}

/** Required node affinity pinning the pod to node names (as the DaemonSet controller writes it). */
export function requireNodeNames(...terms: string[][]): Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map((names) => ({
          matchFields: names.map((n) => ({ key: 'metadata.name', operator: 'In', values: [n] })),
        })),
      },
    },
  };
}

/** Required pod anti-affinity against pods labelled app=`app`, per `topologyKey`. */
export function antiAffinity(
  app: string,
  topologyKey = 'kubernetes.io/hostname',
  extra: { namespaces?: string[] } = {},
): Affinity {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { app } }, topologyKey, ...extra },
      ],
    },
  };
}

/**
 * A table of scheduling cases: nodes, pods already bound, the pod to place,
 * and either the node it must land on or kube-scheduler's exact message.
 * Messages are written out as kube-scheduler 1.32 words them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node, Pod } from '../../../control-plane/api/types.ts';
import { schedulePod } from '../../../control-plane/scheduler/schedule.ts';
import { antiAffinity, node, pod, requireExpr, requireNodeNames, snapshotOf } from './builders.ts';

interface Case {
  name: string;
  nodes: Node[];
  bound?: Pod[];
  pod: Pod;
  /** The node chosen (one of these when several are equally good). */
  node?: string | string[];
  message?: string;
  candidates?: string[];
}

const CONTROL_PLANE = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

const cases: Case[] = [
  // --- resources
  {
    name: 'fits the only node with room',
    nodes: [node('a', { cpu: '1' }), node('b', { cpu: '4' })],
    pod: pod('p', { cpu: '2' }),
    node: 'b',
  },
  {
    name: 'cpu short on two nodes, control-plane taint on the third',
    nodes: [
      node('a', { cpu: '1' }),
      node('b', { cpu: '500m' }),
      node('cp', { cpu: '8', taints: [CONTROL_PLANE] }),
    ],
    pod: pod('p', { cpu: '2' }),
    message:
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
  },
  {
    name: 'one node short of both cpu and memory counts both reasons',
    nodes: [node('a', { cpu: '1', memory: '1Gi' })],
    pod: pod('p', { cpu: '1500m', memory: '2Gi' }),
    message:
      '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  },
  {
    name: 'requests of bound pods count against allocatable',
    nodes: [node('a', { cpu: '2' }), node('b', { cpu: '2' })],
    bound: [pod('x', { cpu: '1500m', nodeName: 'a' })],
    pod: pod('p', { cpu: '1' }),
    node: 'b',
  },
  {
    name: 'finished pods free their resources',
    nodes: [node('a', { cpu: '2' })],
    bound: [pod('done', { cpu: '2', nodeName: 'a', phase: 'Succeeded' })],
    pod: pod('p', { cpu: '2' }),
    node: 'a',
  },
  {
    name: 'the exact quantity fits: 3 × 333m + 1m = 1',
    nodes: [node('a', { cpu: '1' })],
    bound: [0, 1, 2].map((i) => pod(`x${i}`, { cpu: '333m', nodeName: 'a' })),
    pod: pod('p', { cpu: '0.001' }),
    node: 'a',
  },
  {
    name: 'memory in binary and decimal units',
    nodes: [node('a', { memory: '1Gi' }), node('b', { memory: '1G' })],
    pod: pod('p', { memory: '1000Mi' }),
    node: 'a',
  },
  {
    name: 'pod count at allocatable pods',
    nodes: [node('a', { pods: 1 })],
    bound: [pod('x', { nodeName: 'a' })],
    pod: pod('p'),
    message:
      '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  },
  {
    name: 'extended resources',
    nodes: [node('a'), node('gpu', { extra: { 'nvidia.com/gpu': '1' } })],
    pod: pod('p', { extra: { 'nvidia.com/gpu': '1' } }),
    node: 'gpu',
  },
  {
    name: 'extended resource missing everywhere',
    nodes: [node('a')],
    pod: pod('p', { extra: { 'nvidia.com/gpu': '1' } }),
    message:
      '0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  },
  // --- spec.nodeName
  {
    name: 'spec.nodeName picks that node',
    nodes: [node('a'), node('b')],
    pod: pod('p', { nodeName: 'b', phase: 'Pending' }),
    node: 'b',
  },
  {
    name: 'spec.nodeName naming no node',
    nodes: [node('a'), node('b')],
    pod: pod('p', { nodeName: 'zz', phase: 'Pending' }),
    message:
      "0/2 nodes are available: 2 node(s) didn't match the requested node name. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  },
  // --- nodeSelector and node affinity
  {
    name: 'nodeSelector',
    nodes: [node('a'), node('b', { labels: { disk: 'ssd' } })],
    pod: pod('p', { nodeSelector: { disk: 'ssd' } }),
    node: 'b',
  },
  {
    name: 'nodeSelector matching no node',
    nodes: [node('a'), node('b', { labels: { disk: 'hdd' } })],
    pod: pod('p', { nodeSelector: { disk: 'ssd' } }),
    message:
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  },
  {
    name: 'affinity In',
    nodes: [node('a', { labels: { zone: 'x' } }), node('b', { labels: { zone: 'y' } })],
    pod: pod('p', { affinity: requireExpr('zone', 'In', ['y', 'z']) }),
    node: 'b',
  },
  {
    name: 'affinity NotIn (a node without the label qualifies)',
    nodes: [node('a', { labels: { zone: 'x' } }), node('b')],
    pod: pod('p', { affinity: requireExpr('zone', 'NotIn', ['x']) }),
    node: 'b',
  },
  {
    name: 'affinity Exists',
    nodes: [node('a'), node('b', { labels: { gpu: '' } })],
    pod: pod('p', { affinity: requireExpr('gpu', 'Exists') }),
    node: 'b',
  },
  {
    name: 'affinity DoesNotExist',
    nodes: [node('a', { labels: { gpu: 'yes' } }), node('b')],
    pod: pod('p', { affinity: requireExpr('gpu', 'DoesNotExist') }),
    node: 'b',
  },
  {
    name: 'affinity Gt compares integers',
    nodes: [node('a', { labels: { cores: '8' } }), node('b', { labels: { cores: '16' } })],
    pod: pod('p', { affinity: requireExpr('cores', 'Gt', ['9']) }),
    node: 'b',
  },
  {
    name: 'affinity Lt compares integers (and skips non-numbers)',
    nodes: [
      node('a', { labels: { cores: '16' } }),
      node('b', { labels: { cores: 'many' } }),
      node('c', { labels: { cores: '4' } }),
    ],
    pod: pod('p', { affinity: requireExpr('cores', 'Lt', ['10']) }),
    node: 'c',
  },
  {
    name: 'affinity and nodeSelector must both hold',
    nodes: [
      node('a', { labels: { zone: 'x', disk: 'hdd' } }),
      node('b', { labels: { zone: 'x', disk: 'ssd' } }),
    ],
    pod: pod('p', { nodeSelector: { disk: 'ssd' }, affinity: requireExpr('zone', 'In', ['x']) }),
    node: 'b',
  },
  {
    name: 'pinned by matchFields to one node',
    nodes: [node('a'), node('b'), node('c')],
    pod: pod('p', { affinity: requireNodeNames(['b']) }),
    node: 'b',
  },
  {
    name: 'pinned to a node without room: the other nodes are left out by PreFilter',
    nodes: [node('a', { cpu: '1' }), node('b'), node('c')],
    pod: pod('p', { cpu: '2', affinity: requireNodeNames(['a']) }),
    message:
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
  },
  {
    name: 'pinned to a node that does not exist',
    nodes: [node('a'), node('b')],
    pod: pod('p', { affinity: requireNodeNames(['gone']) }),
    message:
      "0/2 nodes are available: 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  },
  {
    name: 'matchFields requirements that exclude each other',
    nodes: [node('a'), node('b')],
    pod: pod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchFields: [
                  { key: 'metadata.name', operator: 'In', values: ['a'] },
                  { key: 'metadata.name', operator: 'In', values: ['b'] },
                ],
              },
            ],
          },
        },
      },
    }),
    message:
      '0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
  },
  // --- taints and tolerations
  {
    name: 'untolerated NoSchedule taint with a value',
    nodes: [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
    pod: pod('p'),
    message:
      '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  },
  {
    name: 'untolerated NoExecute taint',
    nodes: [node('a', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] })],
    pod: pod('p'),
    message:
      '0/1 nodes are available: 1 node(s) had untolerated taint {maintenance: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  },
  {
    name: 'toleration Equal on key, value and effect',
    nodes: [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
    pod: pod('p', {
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    }),
    node: 'a',
  },
  {
    name: 'toleration with the wrong value does not tolerate',
    nodes: [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
    pod: pod('p', { tolerations: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    message:
      '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  },
  {
    name: 'toleration Exists on the key, any effect',
    nodes: [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] })],
    pod: pod('p', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }),
    node: 'a',
  },
  {
    name: 'toleration Exists without a key tolerates everything',
    nodes: [
      node('a', {
        taints: [
          { key: 'x', effect: 'NoSchedule' },
          { key: 'y', value: 'z', effect: 'NoExecute' },
        ],
      }),
    ],
    pod: pod('p', { tolerations: [{ operator: 'Exists' }] }),
    node: 'a',
  },
  {
    name: 'a NoExecute toleration does not tolerate a NoSchedule taint',
    nodes: [node('a', { taints: [{ key: 'k', effect: 'NoSchedule' }] })],
    pod: pod('p', { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }] }),
    message:
      '0/1 nodes are available: 1 node(s) had untolerated taint {k: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  },
  {
    name: 'PreferNoSchedule does not filter',
    nodes: [node('a', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })],
    pod: pod('p'),
    node: 'a',
  },
  // --- cordon and readiness
  {
    name: 'cordoned node',
    nodes: [node('a', { unschedulable: true })],
    pod: pod('p'),
    message:
      '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  },
  {
    name: 'cordoned node skipped for an uncordoned one',
    nodes: [node('a', { unschedulable: true }), node('b')],
    pod: pod('p'),
    node: 'b',
  },
  {
    name: 'tolerating node.kubernetes.io/unschedulable ignores the cordon',
    nodes: [node('a', { unschedulable: true })],
    pod: pod('p', {
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }],
    }),
    node: 'a',
  },
  {
    name: 'node not Ready',
    nodes: [node('a', { ready: 'False' })],
    pod: pod('p'),
    message:
      '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  },
  {
    name: 'node Ready Unknown (stopped heartbeating)',
    nodes: [node('a', { ready: 'Unknown' }), node('b', { ready: null })],
    pod: pod('p'),
    message:
      '0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
  },
  {
    name: 'a pod tolerating not-ready NoSchedule may land on a not-ready node',
    nodes: [node('a', { ready: 'False' })],
    pod: pod('p', {
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
      ],
    }),
    node: 'a',
  },
  // --- host ports
  {
    name: 'host port taken on one node',
    nodes: [node('a'), node('b')],
    bound: [pod('x', { nodeName: 'a', hostPorts: [{ port: 8080 }] })],
    pod: pod('p', { hostPorts: [{ port: 8080 }] }),
    node: 'b',
  },
  {
    name: 'host port taken on the only node',
    nodes: [node('a')],
    bound: [pod('x', { nodeName: 'a', hostPorts: [{ port: 8080 }] })],
    pod: pod('p', { hostPorts: [{ port: 8080, protocol: 'TCP' }] }),
    message:
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
  },
  {
    name: 'same port, other protocol',
    nodes: [node('a')],
    bound: [pod('x', { nodeName: 'a', hostPorts: [{ port: 53 }] })],
    pod: pod('p', { hostPorts: [{ port: 53, protocol: 'UDP' }] }),
    node: 'a',
  },
  {
    name: 'same port on distinct host IPs',
    nodes: [node('a')],
    bound: [pod('x', { nodeName: 'a', hostPorts: [{ port: 80, hostIP: '127.0.0.1' }] })],
    pod: pod('p', { hostPorts: [{ port: 80, hostIP: '127.0.0.2' }] }),
    node: 'a',
  },
  {
    name: 'all-addresses port against a specific host IP',
    nodes: [node('a')],
    bound: [pod('x', { nodeName: 'a', hostPorts: [{ port: 80, hostIP: '127.0.0.1' }] })],
    pod: pod('p', { hostPorts: [{ port: 80 }] }),
    message:
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
  },
  // --- pod anti-affinity on the hostname topology
  {
    name: 'anti-affinity avoids the node with a matching pod',
    nodes: [node('a'), node('b')],
    bound: [pod('web-1', { nodeName: 'a', labels: { app: 'web' } })],
    pod: pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity('web') }),
    node: 'b',
  },
  {
    name: 'anti-affinity with a matching pod on every node',
    nodes: [node('a'), node('b')],
    bound: [
      pod('web-1', { nodeName: 'a', labels: { app: 'web' } }),
      pod('web-2', { nodeName: 'b', labels: { app: 'web' } }),
    ],
    pod: pod('web-3', { labels: { app: 'web' }, affinity: antiAffinity('web') }),
    message:
      "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  },
  {
    name: "a bound pod's anti-affinity keeps matching pods away (symmetry)",
    nodes: [node('a')],
    bound: [pod('db', { nodeName: 'a', labels: { app: 'db' }, affinity: antiAffinity('web') })],
    pod: pod('web', { labels: { app: 'web' } }),
    message:
      "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
  },
  {
    name: 'anti-affinity looks only in its own namespace by default',
    nodes: [node('a')],
    bound: [pod('web-1', { nodeName: 'a', namespace: 'other', labels: { app: 'web' } })],
    pod: pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity('web') }),
    node: 'a',
  },
  {
    name: 'anti-affinity over listed namespaces',
    nodes: [node('a'), node('b')],
    bound: [pod('web-1', { nodeName: 'a', namespace: 'other', labels: { app: 'web' } })],
    pod: pod('web-2', {
      labels: { app: 'web' },
      affinity: antiAffinity('web', 'kubernetes.io/hostname', { namespaces: ['other'] }),
    }),
    node: 'b',
  },
  {
    name: 'anti-affinity on zones',
    nodes: [
      node('a', { labels: { 'topology.kubernetes.io/zone': 'z1' } }),
      node('b', { labels: { 'topology.kubernetes.io/zone': 'z1' } }),
      node('c', { labels: { 'topology.kubernetes.io/zone': 'z2' } }),
    ],
    bound: [pod('web-1', { nodeName: 'a', labels: { app: 'web' } })],
    pod: pod('web-2', {
      labels: { app: 'web' },
      affinity: antiAffinity('web', 'topology.kubernetes.io/zone'),
    }),
    node: 'c',
  },
  // --- priority and preemption
  {
    name: 'a lower-priority pod could be preempted: no preemption message, a candidate',
    nodes: [node('a', { cpu: '1' })],
    bound: [pod('low', { nodeName: 'a', cpu: '1', priority: 0 })],
    pod: pod('high', { cpu: '1', priority: 1000 }),
    message: '0/1 nodes are available: 1 Insufficient cpu.',
    candidates: ['a'],
  },
  {
    name: 'evicting lower-priority pods would not be enough',
    nodes: [node('a', { cpu: '1' })],
    bound: [pod('low', { nodeName: 'a', cpu: '500m', priority: 0 })],
    pod: pod('high', { cpu: '2', priority: 1000 }),
    message:
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.',
  },
  {
    name: 'preemptionPolicy Never',
    nodes: [node('a', { cpu: '1' })],
    bound: [pod('low', { nodeName: 'a', cpu: '1', priority: 0 })],
    pod: pod('high', { cpu: '1', priority: 1000, preemptionPolicy: 'Never' }),
    message:
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
  },
  {
    name: 'equal priority pods are no victims',
    nodes: [node('a', { cpu: '1' })],
    bound: [pod('peer', { nodeName: 'a', cpu: '1', priority: 5 })],
    pod: pod('p', { cpu: '1', priority: 5 }),
    message:
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  },
  {
    name: 'no nodes at all',
    nodes: [],
    pod: pod('p'),
    message: 'no nodes available to schedule pods',
  },
];

describe('schedulePod', () => {
  for (const tc of cases) {
    test(tc.name, () => {
      const snapshot = snapshotOf(tc.nodes, tc.bound);
      const r = schedulePod(tc.pod, snapshot, { random: () => 0.5 });
      if (tc.message !== undefined) {
        assert.ok('unschedulable' in r, `expected unschedulable, got node ${JSON.stringify(r)}`);
        assert.equal(r.unschedulable, tc.message);
        assert.deepEqual(r.preemptionCandidates, tc.candidates ?? []);
      } else {
        assert.ok(
          'node' in r,
          `expected a node, got: ${'unschedulable' in r ? r.unschedulable : ''}`,
        );
        const allowed = Array.isArray(tc.node) ? tc.node : [tc.node];
        assert.ok(allowed.includes(r.node), `chose ${r.node}, expected ${allowed.join(' or ')}`);
      }
    });
  }

  test('rejecting plugins are reported for re-queueing', () => {
    const snapshot = snapshotOf([node('a', { cpu: '1' }), node('b', { unschedulable: true })]);
    const r = schedulePod(pod('p', { cpu: '2' }), snapshot);
    assert.ok('unschedulable' in r);
    assert.deepEqual([...r.plugins].sort(), ['NodeResourcesFit', 'NodeUnschedulable']);
  });

  test('a pod fitting nowhere is evaluated against every node', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => node(`n${i}`, { cpu: '1' }));
    const r = schedulePod(pod('p', { cpu: '2' }), snapshotOf(nodes));
    assert.ok('unschedulable' in r);
    assert.match(r.unschedulable, /^0\/300 nodes are available: 300 Insufficient cpu\. /);
  });
});

/**
 * mergePodStatus (pure): the kubelet's status over the server's, keeping
 * conditions the kubelet does not own and terminal phases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodCondition, PodStatus } from '../../../control-plane/api/types.ts';
import { mergePodStatus } from '../../../node-agent/kubelet/status-merge.ts';

const T = '2025-01-01T00:00:00Z';
const cond = (type: string, status: 'True' | 'False', extra: Partial<PodCondition> = {}) => ({
  type,
  status,
  lastTransitionTime: T,
  ...extra,
});

const cases: { name: string; api: PodStatus | undefined; kubelet: PodStatus; want: PodStatus }[] = [
  {
    name: 'no server status: the kubelet status as is',
    api: undefined,
    kubelet: { phase: 'Running', conditions: [cond('Ready', 'True')] },
    want: { phase: 'Running', conditions: [cond('Ready', 'True')] },
  },
  {
    name: 'conditions of other writers are kept from the server, first, in their order',
    api: {
      phase: 'Pending',
      conditions: [
        cond('PodScheduled', 'True'),
        cond('DisruptionTarget', 'True', { reason: 'EvictionByEvictionAPI' }),
        cond('example.com/gate', 'True'),
        cond('Ready', 'False'),
      ],
    },
    kubelet: {
      phase: 'Running',
      conditions: [
        cond('example.com/gate', 'False'),
        cond('Ready', 'True'),
        cond('PodScheduled', 'True'),
      ],
    },
    want: {
      phase: 'Running',
      conditions: [
        cond('DisruptionTarget', 'True', { reason: 'EvictionByEvictionAPI' }),
        cond('example.com/gate', 'True'),
        cond('Ready', 'True'),
        cond('PodScheduled', 'True'),
      ],
    },
  },
  {
    name: "PodScheduled stays when the kubelet's status has none",
    api: { phase: 'Pending', conditions: [cond('PodScheduled', 'True')] },
    kubelet: { phase: 'Pending', conditions: [cond('Initialized', 'True')] },
    want: {
      phase: 'Pending',
      conditions: [cond('Initialized', 'True'), cond('PodScheduled', 'True')],
    },
  },
  {
    name: 'a terminal phase on the server is not left',
    api: { phase: 'Succeeded' },
    kubelet: { phase: 'Running' },
    want: { phase: 'Succeeded' },
  },
  {
    name: 'a terminal phase is reached from a running one',
    api: { phase: 'Running' },
    kubelet: { phase: 'Failed' },
    want: { phase: 'Failed' },
  },
  {
    name: "the scheduler's nominatedNodeName is kept",
    api: { phase: 'Pending', nominatedNodeName: 'n2' },
    kubelet: { phase: 'Pending', podIP: '10.244.1.5' },
    want: { phase: 'Pending', podIP: '10.244.1.5', nominatedNodeName: 'n2' },
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    assert.deepEqual(mergePodStatus(tc.api, tc.kubelet), tc.want);
  });
}

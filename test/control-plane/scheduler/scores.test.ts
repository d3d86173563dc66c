/**
 * Scores: the formulas on hand-computed numbers, then the choices they
 * lead to when several nodes fit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CycleState } from '../../../control-plane/scheduler/filters.ts';
import {
  preferredTerms,
  requiredNodeAffinity,
} from '../../../control-plane/scheduler/node-affinity.ts';
import { podInfoOf } from '../../../control-plane/scheduler/pod-info.ts';
import { schedulePod } from '../../../control-plane/scheduler/schedule.ts';
import {
  SCORE_WEIGHTS,
  balancedAllocationScore,
  defaultNormalize,
  leastAllocatedScore,
  nodeAffinityRaw,
  scoreNodes,
  spreadScores,
  taintTolerationRaw,
} from '../../../control-plane/scheduler/scores.ts';
import { node, pod, snapshotOf } from './builders.ts';

const state = (p: ReturnType<typeof pod>): CycleState => ({
  pod: podInfoOf(p),
  required: requiredNodeAffinity(p),
  antiAffinity: undefined,
});

describe('score formulas', () => {
  test('least allocated: free share of cpu and memory after placing the pod', () => {
    const s = snapshotOf(
      [node('a', { cpu: '4', memory: '4Gi' })],
      [pod('x', { nodeName: 'a', cpu: '1', memory: '1Gi' })],
    );
    const a = s.get('a');
    assert.ok(a);
    // cpu (4000 - 2000) * 100 / 4000 = 50; memory (4Gi - 3Gi) * 100 / 4Gi = 25; mean 37.
    assert.equal(leastAllocatedScore(state(pod('p', { cpu: '1', memory: '2Gi' })), a), 37);
    // no requests: 100m and 200 MiB assumed; cpu 72, memory floor(2872 / 4096 × 100) = 70.
    assert.equal(leastAllocatedScore(state(pod('q')), a), 71);
  });

  test('balanced allocation: 100 × (1 − |cpu share − memory share| / 2)', () => {
    const a = snapshotOf([node('a', { cpu: '4', memory: '4Gi' })]).get('a');
    assert.ok(a);
    assert.equal(balancedAllocationScore(state(pod('p', { cpu: '2', memory: '2Gi' })), a), 100);
    assert.equal(balancedAllocationScore(state(pod('p', { cpu: '4' })), a), 50);
    assert.equal(balancedAllocationScore(state(pod('p', { cpu: '1', memory: '3Gi' })), a), 75);
  });

  test('default normalization scales by the maximum (reverse: lower is better)', () => {
    assert.deepEqual(defaultNormalize([0, 5, 10], false), [0, 50, 100]);
    assert.deepEqual(defaultNormalize([0, 1, 3], true), [100, 67, 0]);
    assert.deepEqual(defaultNormalize([0, 0], true), [100, 100]);
    assert.deepEqual(defaultNormalize([0, 0], false), [0, 0]);
  });
});

describe('node choice by score', () => {
  const choose = (
    nodes: ReturnType<typeof node>[],
    bound: ReturnType<typeof pod>[],
    p: ReturnType<typeof pod>,
  ) => {
    const r = schedulePod(p, snapshotOf(nodes, bound), { random: () => 0.5 });
    assert.ok('node' in r, 'unschedulable' in r ? r.unschedulable : '');
    return r.node;
  };

  test('the less loaded node', () => {
    const got = choose(
      [node('a'), node('b')],
      [pod('x', { nodeName: 'a', cpu: '3', memory: '6Gi' })],
      pod('p', { cpu: '100m' }),
    );
    assert.equal(got, 'b');
  });

  test('away from pods of the same owner', () => {
    const bound = [
      pod('r1', { nodeName: 'a', owner: 'rs1' }),
      pod('r2', { nodeName: 'a', owner: 'rs1' }),
      pod('o1', { nodeName: 'b', owner: 'rs2' }),
      pod('o2', { nodeName: 'b', owner: 'rs2' }),
    ];
    assert.equal(choose([node('a'), node('b')], bound, pod('r3', { owner: 'rs1' })), 'b');
    assert.equal(choose([node('a'), node('b')], bound, pod('o3', { owner: 'rs2' })), 'a');
  });

  test('towards preferred node affinity', () => {
    const preferSsd = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 50,
            preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
          },
        ],
      },
    };
    const got = choose(
      [node('a'), node('b', { labels: { disk: 'ssd' } })],
      [pod('x', { nodeName: 'b', cpu: '500m' })],
      pod('p', { affinity: preferSsd }),
    );
    assert.equal(got, 'b');
  });

  test('away from PreferNoSchedule taints', () => {
    const got = choose(
      [node('a', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }), node('b')],
      [pod('x', { nodeName: 'b', cpu: '500m' })],
      pod('p'),
    );
    assert.equal(got, 'b');
  });

  test('equal nodes: ties are broken by the random source', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const pick = (x: number) => {
      const r = schedulePod(pod('p'), snapshotOf(nodes), { random: () => x });
      assert.ok('node' in r);
      return r.node;
    };
    assert.equal(pick(0.99), 'a', 'never replacing keeps the first');
    assert.equal(pick(0), 'c', 'always replacing keeps the last');
  });
});

describe('weighted totals', () => {
  // Nodes with and without PreferNoSchedule taints, labels, zones, pods of one owner.
  const nodes = Array.from({ length: 24 }, (_, i) =>
    node(`n${i}`, {
      cpu: ['2', '4', '8'][i % 3],
      memory: ['4Gi', '8Gi'][i % 2],
      labels: {
        ...(i % 4 === 0 ? { disk: 'ssd' } : {}),
        ...(i % 5 === 0 ? {} : { 'topology.kubernetes.io/zone': `z${i % 3}` }),
      },
      taints: [
        ...(i % 3 === 0 ? [{ key: 'spot', effect: 'PreferNoSchedule' }] : []),
        ...(i % 7 === 0 ? [{ key: 'old', value: 'yes', effect: 'PreferNoSchedule' }] : []),
      ],
    }),
  );
  const bound = Array.from({ length: 30 }, (_, i) =>
    pod(`b${i}`, { nodeName: `n${(i * 7) % 24}`, cpu: '100m', owner: i % 2 ? 'rs-1' : 'rs-2' }),
  );
  const preferSsd = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 30,
          preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
        },
        {
          weight: 5,
          preference: {
            matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'Exists' }],
          },
        },
      ],
    },
  };
  const cases = [
    { name: 'a plain pod', p: pod('p', { cpu: '200m' }) },
    { name: 'an owned pod (spreading)', p: pod('p', { cpu: '1', owner: 'rs-1' }) },
    { name: 'preferred node affinity', p: pod('p', { memory: '1Gi', affinity: preferSsd }) },
    {
      name: 'tolerating one PreferNoSchedule taint',
      p: pod('p', { tolerations: [{ key: 'spot', operator: 'Exists' }], owner: 'rs-2' }),
    },
  ];
  for (const tc of cases) {
    test(`equal each plugin normalized on its own, then weighed: ${tc.name}`, () => {
      const snap = snapshotOf(nodes, bound);
      const list = snap.nodes();
      const s = state(tc.p);
      const terms = preferredTerms(tc.p);
      const taints = defaultNormalize(
        list.map((n) => taintTolerationRaw(s, n)),
        true,
      );
      const affinity = defaultNormalize(
        list.map((n) => nodeAffinityRaw(terms, n)),
        false,
      );
      const spread = spreadScores(s, list, snap);
      const w = SCORE_WEIGHTS;
      const want = list.map(
        (n, i) =>
          w.leastAllocated * leastAllocatedScore(s, n) +
          w.balancedAllocation * balancedAllocationScore(s, n) +
          w.taintToleration * (taints[i] as number) +
          w.nodeAffinity * (affinity[i] as number) +
          w.spread * (spread[i] as number),
      );
      assert.deepEqual(scoreNodes(s, list, terms, snap), want);
      assert.ok(new Set(want).size > 1, 'the case should tell nodes apart');
    });
  }
});

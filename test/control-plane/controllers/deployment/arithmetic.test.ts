/**
 * The Deployment controller's arithmetic, with cases worked by hand from
 * Kubernetes' definitions (intstr scaling, ResolveFenceposts,
 * NewRSNewReplicas, reconcileOldReplicaSets, proportional scale()).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  maxSurge,
  maxUnavailable,
  resolveFenceposts,
  scaledValue,
} from '../../../../control-plane/controllers/deployment/fenceposts.ts';
import { scaleSteps } from '../../../../control-plane/controllers/deployment/proportional.ts';
import {
  newReplicaSetReplicas,
  oldReplicaSetScaleDowns,
} from '../../../../control-plane/controllers/deployment/rolling.ts';
import { deployment, rs, sized } from './builders.ts';

describe('scaledValue: ints as they are, percentages of the total', () => {
  const cases: [number | string, number, boolean, number][] = [
    [3, 10, true, 3],
    ['25%', 10, true, 3], // 2.5 rounds up for surge
    ['25%', 10, false, 2], // and down for unavailable
    ['25%', 4, false, 1],
    ['0%', 10, true, 0],
    ['100%', 7, false, 7],
    ['10%', 1, true, 1],
    ['10%', 1, false, 0],
  ];
  for (const [v, total, up, want] of cases)
    test(`${v} of ${total} rounding ${up ? 'up' : 'down'}`, () =>
      assert.equal(scaledValue(v, total, up), want));
  test('a string that is not a percentage is refused', () => {
    assert.throws(() => scaledValue('25', 10, true), /not a percentage/);
  });
});

describe('resolveFenceposts, maxSurge, maxUnavailable', () => {
  test('both 0: one pod may be unavailable, else the rollout could never move', () => {
    assert.deepEqual(resolveFenceposts(0, 0, 10), [0, 1]);
    assert.deepEqual(resolveFenceposts('0%', '0%', 10), [0, 1]);
  });
  test('the API defaults (25 % / 25 %) on 10 replicas: surge 3, unavailable 2', () => {
    const d = deployment({ replicas: 10, maxSurge: '25%', maxUnavailable: '25%' });
    assert.equal(maxSurge(d), 3);
    assert.equal(maxUnavailable(d), 2);
  });
  test('unavailable never above replicas; Recreate has neither', () => {
    assert.equal(maxUnavailable(deployment({ replicas: 2, maxUnavailable: 5 })), 2);
    assert.equal(maxUnavailable(deployment({ replicas: 0, maxUnavailable: 5 })), 0);
    assert.equal(maxSurge(deployment({ replicas: 3, recreate: true })), 0);
    assert.equal(maxUnavailable(deployment({ replicas: 3, recreate: true })), 0);
  });
});

describe('newReplicaSetReplicas (NewRSNewReplicas)', () => {
  const cases: {
    name: string;
    replicas: number;
    surge: number | string;
    newRs: number;
    old: number[];
    want: number;
  }[] = [
    { name: 'first step of 10 with surge 1', replicas: 10, surge: 1, newRs: 0, old: [10], want: 1 },
    { name: 'surge 25 % of 10 is 3', replicas: 10, surge: '25%', newRs: 0, old: [10], want: 3 },
    { name: 'already at replicas + surge', replicas: 10, surge: 1, newRs: 1, old: [10], want: 1 },
    { name: 'room for one more', replicas: 10, surge: 1, newRs: 8, old: [2], want: 9 },
    { name: 'never past replicas', replicas: 3, surge: 5, newRs: 2, old: [0], want: 3 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({ replicas: c.replicas, maxSurge: c.surge, maxUnavailable: 0 });
      const n = rs('new', { replicas: c.newRs });
      const all = [...c.old.map((r, i) => rs(`old${i}`, { replicas: r })), n];
      assert.equal(newReplicaSetReplicas(d, all, n), c.want);
    });
  }
  test('Recreate sizes the new ReplicaSet at replicas at once', () => {
    const d = deployment({ replicas: 4, recreate: true });
    const n = rs('new', { replicas: 0 });
    assert.equal(newReplicaSetReplicas(d, [n], n), 4);
  });
});

describe('oldReplicaSetScaleDowns (reconcileOldReplicaSets)', () => {
  const cases: {
    name: string;
    d: { replicas: number; surge: number; unavailable: number };
    old: { replicas: number; available: number; created: number }[];
    newRs: { replicas: number; available: number };
    want: number[];
  }[] = [
    {
      name: 'surge 1 / unavailable 0: one old pod goes once the new one is available',
      d: { replicas: 10, surge: 1, unavailable: 0 },
      old: [{ replicas: 10, available: 10, created: 0 }],
      newRs: { replicas: 1, available: 1 },
      want: [9],
    },
    {
      name: 'nothing goes while the new pod is unavailable',
      d: { replicas: 10, surge: 1, unavailable: 0 },
      old: [{ replicas: 10, available: 10, created: 0 }],
      newRs: { replicas: 1, available: 0 },
      want: [10],
    },
    {
      name: 'maxUnavailable 2 lets two old pods go before any new one exists',
      d: { replicas: 10, surge: 0, unavailable: 2 },
      old: [{ replicas: 10, available: 10, created: 0 }],
      newRs: { replicas: 0, available: 0 },
      want: [8],
    },
    {
      name: 'unhealthy old pods go first, within maxScaledDown',
      d: { replicas: 10, surge: 0, unavailable: 2 },
      old: [{ replicas: 10, available: 7, created: 0 }],
      newRs: { replicas: 0, available: 0 },
      want: [8],
    },
    {
      name: 'the oldest ReplicaSet shrinks first',
      d: { replicas: 4, surge: 0, unavailable: 1 },
      old: [
        { replicas: 2, available: 2, created: 10 },
        { replicas: 2, available: 2, created: 0 },
      ],
      newRs: { replicas: 0, available: 0 },
      want: [2, 1],
    },
    {
      // Kubernetes would take 2 here (12 available - 10); skiff stays within the
      // spec-based bound (11 pods - 10 minAvailable = 1) while the old status lags.
      name: 'a lagging old status cannot take more than the spec-based bound',
      d: { replicas: 10, surge: 1, unavailable: 0 },
      old: [{ replicas: 9, available: 10, created: 0 }],
      newRs: { replicas: 2, available: 2 },
      want: [8],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({
        replicas: c.d.replicas,
        maxSurge: c.d.surge,
        maxUnavailable: c.d.unavailable,
      });
      const olds = c.old.map((o, i) => rs(`old${i}`, o));
      const steps = oldReplicaSetScaleDowns(d, olds, rs('new', { ...c.newRs, created: 100 }));
      const sizes = olds.map((o) => steps.find((s) => s.rs === o)?.replicas ?? o.spec.replicas);
      assert.deepEqual(sizes, c.want);
    });
  }
});

describe('scaleSteps (proportional scaling of scale())', () => {
  // Rolling update with surge 0 / unavailable 0 (so maxSurge 0), old sizes annotated for `from`.
  const cases: {
    name: string;
    from: number;
    to: number;
    newRs: number;
    old: number[];
    want: [number, number[]];
  }[] = [
    {
      name: 'one active ReplicaSet takes the new size: 10 -> 12',
      from: 10,
      to: 12,
      newRs: 10,
      old: [0],
      want: [12, [0]],
    },
    { name: 'one active: 10 -> 5', from: 10, to: 5, newRs: 10, old: [0], want: [5, [0]] },
    { name: 'proportional 5 -> 10', from: 5, to: 10, newRs: 2, old: [3], want: [4, [6]] },
    { name: 'proportional 5 -> 3', from: 5, to: 3, newRs: 2, old: [3], want: [1, [2]] },
    { name: 'proportional 9 -> 4', from: 9, to: 4, newRs: 8, old: [1], want: [4, [0]] },
    { name: 'proportional 7 -> 10', from: 7, to: 10, newRs: 2, old: [3, 2], want: [3, [4, 3]] },
    { name: 'proportional 13 -> 8', from: 13, to: 8, newRs: 2, old: [8, 3], want: [1, [5, 2]] },
    {
      name: 'leftover to the largest (newest among equals) 3 -> 4',
      from: 3,
      to: 4,
      newRs: 1,
      old: [1, 1],
      want: [2, [1, 1]],
    },
    {
      name: 'halves round away from zero 4 -> 5',
      from: 4,
      to: 5,
      newRs: 2,
      old: [1, 1],
      want: [3, [1, 1]],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({ replicas: c.to, maxSurge: 0, maxUnavailable: 0 });
      const ann = sized(c.from, c.from);
      const newRs = rs('new', { replicas: c.newRs, created: 100, annotations: ann });
      const olds = c.old.map((r, i) =>
        rs(`old${i}`, { replicas: r, created: i, annotations: ann }),
      );
      const steps = scaleSteps(d, newRs, olds);
      const size = (x: typeof newRs) => steps.find((s) => s.rs === x)?.replicas ?? x.spec.replicas;
      assert.deepEqual([size(newRs), olds.map(size)], c.want);
    });
  }
  test('a saturated new ReplicaSet sends the old ones to 0', () => {
    const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0 });
    const newRs = rs('new', { replicas: 3, available: 3, created: 100, annotations: sized(3, 4) });
    const old = rs('old', { replicas: 1, annotations: sized(3, 4) });
    assert.deepEqual(
      scaleSteps(d, newRs, [old]).map((s) => [s.rs.metadata.name, s.replicas]),
      [['old', 0]],
    );
  });
});

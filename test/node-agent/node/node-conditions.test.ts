import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeCondition } from '../../../control-plane/api/types.ts';
import {
  DEFAULT_EVICTION_HARD,
  RUNTIME_DOWN_MESSAGE,
  nodeConditions,
  pressures,
  sameConditions,
  wantedConditions,
} from '../../../node-agent/node/node-conditions.ts';
import { MiB, readings } from './fixtures.ts';

const T = DEFAULT_EVICTION_HARD;
const OK = { ok: true };
const T0 = Date.parse('2025-03-01T10:00:00Z');
const T1 = T0 + 10_000;

describe('pressures under the default thresholds', () => {
  const cases = [
    { name: 'healthy', r: readings(), want: { memory: false, disk: false, pid: false } },
    {
      name: 'memory.available 99Mi < 100Mi',
      r: readings({ memoryAvailableBytes: 99 * MiB }),
      want: { memory: true, disk: false, pid: false },
    },
    {
      name: 'memory.available exactly 100Mi is not pressure',
      r: readings({ memoryAvailableBytes: 100 * MiB }),
      want: { memory: false, disk: false, pid: false },
    },
    {
      name: 'nodefs.available 9.9% < 10%',
      r: readings({ diskAvailablePercent: 9.9 }),
      want: { memory: false, disk: true, pid: false },
    },
    {
      name: 'pid.available 4% < 5%',
      r: readings({ pidMax: 1000, pidsInUse: 960 }),
      want: { memory: false, disk: false, pid: true },
    },
    {
      name: 'an unknown PID limit is no pressure',
      r: readings({ pidMax: 0, pidsInUse: 10 }),
      want: { memory: false, disk: false, pid: false },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(pressures(c.r, T), c.want));
});

describe('the kubelet reasons and messages', () => {
  const cases = [
    {
      name: 'healthy node',
      r: readings(),
      runtime: OK,
      want: [
        [
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    },
    {
      name: 'every pressure, runtime down with a message',
      r: readings({
        memoryAvailableBytes: 0,
        diskAvailablePercent: 1,
        pidMax: 100,
        pidsInUse: 100,
      }),
      runtime: { ok: false, message: 'PLEG is not healthy' },
      want: [
        [
          'MemoryPressure',
          'True',
          'KubeletHasInsufficientMemory',
          'kubelet has insufficient memory available',
        ],
        ['DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure'],
        [
          'PIDPressure',
          'True',
          'KubeletHasInsufficientPID',
          'kubelet has insufficient PID available',
        ],
        ['Ready', 'False', 'KubeletNotReady', 'PLEG is not healthy'],
      ],
    },
    {
      name: 'runtime down without a message',
      r: readings(),
      runtime: { ok: false },
      want: [
        [
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'False', 'KubeletNotReady', RUNTIME_DOWN_MESSAGE],
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = wantedConditions(c.r, c.runtime, T).map((w) => [
        w.type,
        w.status,
        w.reason,
        w.message,
      ]);
      assert.deepEqual(got, c.want);
    });
  }
});

describe('nodeConditions over the previous ones', () => {
  const first = nodeConditions(undefined, readings(), OK, T, T0);

  test('new conditions get heartbeat and transition now, Ready last', () => {
    assert.deepEqual(
      first.map((c) => c.type),
      ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'],
    );
    for (const c of first) {
      assert.equal(c.lastHeartbeatTime, '2025-03-01T10:00:00Z');
      assert.equal(c.lastTransitionTime, '2025-03-01T10:00:00Z');
    }
  });

  test('an unchanged status keeps its transition time, the heartbeat moves', () => {
    const next = nodeConditions(first, readings(), OK, T, T1);
    for (const c of next) {
      assert.equal(c.lastTransitionTime, '2025-03-01T10:00:00Z', c.type);
      assert.equal(c.lastHeartbeatTime, '2025-03-01T10:00:10Z', c.type);
    }
    assert.ok(sameConditions(first, next));
  });

  test('a changed status moves only its own transition time', () => {
    const next = nodeConditions(first, readings({ diskAvailablePercent: 2 }), OK, T, T1);
    const byType = new Map(next.map((c) => [c.type, c]));
    assert.equal(byType.get('DiskPressure')?.status, 'True');
    assert.equal(byType.get('DiskPressure')?.lastTransitionTime, '2025-03-01T10:00:10Z');
    assert.equal(byType.get('Ready')?.lastTransitionTime, '2025-03-01T10:00:00Z');
    assert.ok(!sameConditions(first, next));
  });

  test('Unknown from the lifecycle controller back to True/False is a transition', () => {
    const lost: NodeCondition[] = first.map((c) => ({
      ...c,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastTransitionTime: '2025-03-01T10:00:05Z',
    }));
    const next = nodeConditions(lost, readings(), OK, T, T1);
    assert.deepEqual(
      next.map((c) => [c.type, c.status, c.lastTransitionTime]),
      [
        ['MemoryPressure', 'False', '2025-03-01T10:00:10Z'],
        ['DiskPressure', 'False', '2025-03-01T10:00:10Z'],
        ['PIDPressure', 'False', '2025-03-01T10:00:10Z'],
        ['Ready', 'True', '2025-03-01T10:00:10Z'],
      ],
    );
  });

  test('conditions other components own are kept', () => {
    const other: NodeCondition = {
      type: 'NetworkUnavailable',
      status: 'False',
      reason: 'RouteCreated',
      message: 'routes created',
      lastTransitionTime: '2025-01-01T00:00:00Z',
    };
    const next = nodeConditions([other, ...first], readings(), OK, T, T1);
    assert.deepEqual(next[0], other);
    assert.equal(next.length, 5);
  });
});

test('sameConditions ignores heartbeats but not messages', () => {
  const a = nodeConditions(undefined, readings(), { ok: false, message: 'a' }, T, T0);
  const b = nodeConditions(a, readings(), { ok: false, message: 'b' }, T, T1);
  assert.ok(!sameConditions(a, b));
  assert.ok(sameConditions(a, nodeConditions(a, readings(), { ok: false, message: 'a' }, T, T1)));
});

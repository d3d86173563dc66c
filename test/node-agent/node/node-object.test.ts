import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quantityValue } from '../../../control-plane/api/quantity.ts';
import { DEFAULT_EVICTION_HARD } from '../../../node-agent/node/node-conditions.ts';
import {
  binaryQuantity,
  buildNode,
  desiredNodeStatus,
  goArch,
  nodeAllocatable,
  nodeCapacity,
  nodeStatusChanged,
} from '../../../node-agent/node/node-object.ts';
import { GiB, MiB, readings } from './fixtures.ts';

const T = DEFAULT_EVICTION_HARD;
const OK = { ok: true };
const T0 = Date.parse('2025-03-01T10:00:00Z');

describe('binaryQuantity prints as resource.NewQuantity(n, BinarySI)', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1, '1'],
    [1023, '1023'],
    [1024, '1Ki'],
    [32_882_784 * 1024, '32882784Ki'],
    [16 * GiB, '16Gi'],
    [1536 * MiB, '1536Mi'],
    [43_916_124_599, '43916124599'],
    [2 ** 60, '1Ei'],
    [2 ** 61, '2Ei'],
    [-5, '0'],
  ];
  for (const [bytes, text] of cases) {
    test(`${bytes} → ${text}`, () => {
      assert.equal(binaryQuantity(bytes), text);
      if (bytes >= 0) assert.equal(quantityValue(text), bytes);
    });
  }
});

describe('goArch', () => {
  const cases: [string, string][] = [
    ['x64', 'amd64'],
    ['arm64', 'arm64'],
    ['arm', 'arm'],
    ['ia32', '386'],
    ['ppc64', 'ppc64le'],
    ['s390x', 's390x'],
    ['riscv64', 'riscv64'],
    ['something', 'something'],
  ];
  for (const [node, go] of cases) test(`${node} → ${go}`, () => assert.equal(goArch(node), go));
});

describe('capacity and allocatable', () => {
  const cases = [
    {
      name: '2 CPUs, 8Gi, 100Gi disk',
      r: readings(),
      capacity: { cpu: '2', memory: '8Gi', 'ephemeral-storage': '100Gi', pods: '110' },
      // 8Gi - 100Mi; 100Gi - floor(10% of 100Gi)
      allocatable: {
        cpu: '2',
        memory: `${8 * 1024 - 100}Mi`,
        'ephemeral-storage': String(100 * GiB - Math.floor(10 * GiB)),
        pods: '110',
      },
    },
    {
      name: 'odd sizes from /proc/meminfo and statfs',
      r: readings({
        cpuCount: 4,
        memoryBytes: 24_684_096 * 1024,
        ephemeralStorageBytes: 66_052_468 * 4096,
        maxPods: 50,
      }),
      capacity: {
        cpu: '4',
        memory: '24684096Ki',
        'ephemeral-storage': '264209872Ki',
        pods: '50',
      },
      allocatable: {
        cpu: '4',
        memory: '24581696Ki',
        'ephemeral-storage': String(66_052_468 * 4096 - Math.floor(66_052_468 * 4096 * 0.1)),
        pods: '50',
      },
    },
    {
      name: 'memory below the reservation is 0, not negative',
      r: readings({ memoryBytes: 64 * MiB }),
      capacity: { cpu: '2', memory: '64Mi', 'ephemeral-storage': '100Gi', pods: '110' },
      allocatable: {
        cpu: '2',
        memory: '0',
        'ephemeral-storage': String(100 * GiB - Math.floor(10 * GiB)),
        pods: '110',
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(nodeCapacity(c.r), c.capacity);
      // Compare values: the same amount may print in one canonical form only.
      const alloc = nodeAllocatable(c.r, T);
      for (const [k, v] of Object.entries(c.allocatable)) {
        assert.equal(quantityValue(alloc[k] ?? ''), quantityValue(v), k);
      }
    });
  }
});

describe('buildNode', () => {
  const node = buildNode({
    nodeName: 'node-1',
    readings: readings(),
    runtime: OK,
    thresholds: T,
    nowMs: T0,
    extraLabels: { 'kubernetes.io/hostname': 'not-mine', zone: 'a' },
  });

  test('labels: owned ones win over extra ones', () => {
    assert.deepEqual(node.metadata.labels, {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'node-1',
      'kubernetes.io/os': 'linux',
      zone: 'a',
    });
  });

  test('addresses, daemon endpoint and node info from the readings', () => {
    assert.deepEqual(node.status?.addresses, [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'vm' },
    ]);
    assert.deepEqual(node.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual(node.status?.nodeInfo, {
      machineID: 'f00d',
      systemUUID: 'beef',
      bootID: 'b007',
      kernelVersion: '6.1.0-18-amd64',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'docker://20.10.24',
      kubeletVersion: 'v1.32.0+skiff0.1.0',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    });
    assert.deepEqual(node.spec, {});
  });

  test('conditions Ready=True', () => {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
  });
});

describe('desiredNodeStatus over a stored status', () => {
  const stored = desiredNodeStatus(undefined, readings(), OK, T, T0);

  test('extended resources and fields others own are kept', () => {
    const current = {
      ...stored,
      capacity: { ...stored.capacity, 'example.com/gpu': '2' },
      allocatable: { ...stored.allocatable, 'example.com/gpu': '2' },
      images: [{ names: ['pause:3.9'], sizeBytes: 700_000 }],
    };
    const next = desiredNodeStatus(current, readings(), OK, T, T0 + 10_000);
    assert.equal(next.capacity?.['example.com/gpu'], '2');
    assert.equal(next.allocatable?.['example.com/gpu'], '2');
    assert.deepEqual(next.images, current.images);
  });

  const changes = [
    { name: 'same readings, later', r: readings(), runtime: OK, changed: false },
    {
      name: 'runtime version upgraded',
      r: readings({ containerRuntimeVersion: 'docker://28.0.1' }),
      runtime: OK,
      changed: true,
    },
    {
      name: 'free memory moved, no pressure',
      r: readings({ memoryAvailableBytes: 5 * GiB }),
      runtime: OK,
      changed: false,
    },
    { name: 'runtime down', r: readings(), runtime: { ok: false }, changed: true },
    {
      name: 'disk filled past the threshold',
      r: readings({ diskAvailablePercent: 3 }),
      runtime: OK,
      changed: true,
    },
  ];
  for (const c of changes) {
    test(`nodeStatusChanged: ${c.name} → ${c.changed}`, () => {
      const next = desiredNodeStatus(stored, c.r, c.runtime, T, T0 + 10_000);
      assert.equal(nodeStatusChanged(stored, next), c.changed);
    });
  }
});

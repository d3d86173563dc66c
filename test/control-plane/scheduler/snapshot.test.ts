/**
 * The cluster snapshot kept up to date event by event must equal one built
 * from scratch from the final state, whatever the order of node and pod
 * events (a seeded random walk), plus a few hand-checked cases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node, Pod } from '../../../control-plane/api/types.ts';
import { ClusterSnapshot, LABEL_ZONE } from '../../../control-plane/scheduler/snapshot.ts';
import { antiAffinity, node, pod, snapshotOf } from './builders.ts';

// A small deterministic PRNG (mulberry32) so failures reproduce.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Everything the filters and scores read, in a comparable form.
function view(s: ClusterSnapshot, zones: string[], owners: string[]) {
  return {
    nodes: s
      .nodes()
      .map((n) => ({
        name: n.name,
        pods: [...n.pods.keys()].sort(),
        milliCpu: n.requested.milliCpu,
        memory: n.requested.memory,
        nonZero: { ...n.nonZeroRequested },
        owners: [...n.ownerCounts].sort(),
        port80: n.portsConflict([{ ip: '0.0.0.0', protocol: 'TCP', port: 80 }]),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    zones: zones.flatMap((z) => owners.map((o) => `${z}/${o}=${s.zoneOwnerCount(z, o)}`)),
    antiAffinity: [...s.antiAffinityPods.keys()].sort(),
    podCount: s.podCount,
  };
}

describe('cluster snapshot', () => {
  test('requests, ports and owners follow pod events', () => {
    const s = snapshotOf([node('a')]);
    s.upsertPod(pod('x', { nodeName: 'a', cpu: '250m', memory: '1Gi', owner: 'rs1' }));
    s.upsertPod(pod('y', { nodeName: 'a', cpu: '1', hostPorts: [{ port: 80 }], owner: 'rs1' }));
    const a = s.get('a');
    assert.ok(a);
    assert.equal(a.requested.milliCpu, 1250);
    assert.equal(a.requested.memory, 2 ** 30);
    assert.equal(a.ownerCounts.get('rs1'), 2);
    assert.equal(a.portsConflict([{ ip: '0.0.0.0', protocol: 'TCP', port: 80 }]), true);

    s.upsertPod(pod('y', { nodeName: 'a', cpu: '1', hostPorts: [{ port: 80 }], phase: 'Failed' }));
    assert.equal(a.requested.milliCpu, 250, 'a failed pod frees its requests');
    assert.equal(a.portsConflict([{ ip: '0.0.0.0', protocol: 'TCP', port: 80 }]), false);
    s.removePod('default/x');
    assert.equal(a.requested.milliCpu, 0);
    assert.equal(a.ownerCounts.size, 0);
    assert.equal(s.podCount, 0);
  });

  test('a removed node keeps its pods counted until they go, and is not offered', () => {
    const s = snapshotOf([node('a'), node('b')], [pod('x', { nodeName: 'a', cpu: '1' })]);
    s.removeNode('a');
    assert.deepEqual(
      s.nodes().map((n) => n.name),
      ['b'],
    );
    assert.equal(s.get('a'), undefined);
    assert.equal(s.nodeOfPod('default/x'), 'a');
    s.upsertNode(node('a'));
    assert.equal(s.get('a')?.requested.milliCpu, 1000, 'the node returns with its pod');
  });

  test('assume counts a pod on the chosen node before the binding is seen', () => {
    const s = snapshotOf([node('a')]);
    const p = pod('p', { cpu: '2' });
    s.assume(p, 'a');
    assert.equal(s.get('a')?.requested.milliCpu, 2000);
    s.upsertPod({ ...p, spec: { ...p.spec, nodeName: 'a' } });
    assert.equal(s.get('a')?.requested.milliCpu, 2000, 'the confirmed binding replaces it');
  });

  test('incremental updates equal a rebuild, over a random walk of events', () => {
    const random = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const zones = ['z1', 'z2'];
    const owners = ['rs1', 'rs2'];
    const nodeNames = ['n1', 'n2', 'n3', 'n4'];
    const nodes = new Map<string, Node>();
    const pods = new Map<string, Pod>();
    const s = new ClusterSnapshot();
    for (let step = 0; step < 3000; step++) {
      const r = random();
      if (r < 0.15) {
        const n = node(pick(nodeNames), { labels: { [LABEL_ZONE]: pick(zones) } });
        nodes.set(n.metadata.name as string, n);
        s.upsertNode(n);
      } else if (r < 0.2) {
        const name = pick(nodeNames);
        nodes.delete(name);
        s.removeNode(name);
      } else if (r < 0.8) {
        const name = `p${Math.floor(random() * 30)}`;
        const p = pod(name, {
          cpu: pick(['100m', '250m', '1']),
          ...(random() < 0.5 ? { memory: pick(['64Mi', '1Gi']) } : {}),
          ...(random() < 0.8 ? { nodeName: pick(nodeNames) } : {}),
          ...(random() < 0.3 ? { hostPorts: [{ port: 80 }] } : {}),
          ...(random() < 0.7 ? { owner: pick(owners) } : {}),
          ...(random() < 0.2 ? { affinity: antiAffinity('web') } : {}),
          ...(random() < 0.1 ? { phase: 'Succeeded' } : {}),
        });
        pods.set(name, p);
        s.upsertPod(p);
      } else {
        const name = `p${Math.floor(random() * 30)}`;
        pods.delete(name);
        s.removePod(`default/${name}`);
      }
    }
    const rebuilt = snapshotOf([], []);
    for (const n of nodes.values()) rebuilt.upsertNode(n);
    for (const p of pods.values()) rebuilt.upsertPod(p);
    assert.deepEqual(view(s, zones, owners), view(rebuilt, zones, owners));
  });
});

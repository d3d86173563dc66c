/**
 * Reading skiff's chains back: a real round trip through iptables-save on
 * both backends, in a network namespace this test creates and deletes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { serviceChain } from '../../../node-agent/proxy/chain-names.ts';
import { ExecIptables } from '../../../node-agent/proxy/iptables.ts';
import { canonicalRule, kernelView } from '../../../node-agent/proxy/kernel-view.ts';
import { planSync } from '../../../node-agent/proxy/plan-sync.ts';
import { renderRules } from '../../../node-agent/proxy/render-rules.ts';
import type { ServicePortInfo } from '../../../node-agent/proxy/service-ports.ts';

const OPTS = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/16', randomFully: true };
const ep = (ips: string[]) => ips.map((ip) => ({ ip, port: 8080 }));
const PORTS: ServicePortInfo[] = [
  {
    name: 'default/a',
    protocol: 'TCP',
    clusterIP: '10.96.0.11',
    port: 80,
    nodePort: 30080,
    endpoints: ep(['10.244.1.1', '10.244.1.2', '10.244.1.3']),
  },
  {
    name: 'default/b:dns',
    protocol: 'UDP',
    clusterIP: '10.96.0.12',
    port: 53,
    affinitySeconds: 600,
    endpoints: ep(['10.244.2.1', '10.244.2.2']),
  },
  {
    name: 'default/c',
    protocol: 'TCP',
    clusterIP: '10.96.0.13',
    port: 80,
    nodePort: 30081,
    endpoints: [],
  },
];

test('canonicalRule: values that differ give different keys', () => {
  const base = '-A X -m tcp -p tcp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-A';
  for (const other of [
    '-A X -m tcp -p tcp -d 10.96.0.12 --dport 80 -j SKIFF-SVC-A',
    '-A X -m tcp -p tcp -d 10.96.0.11 --dport 81 -j SKIFF-SVC-A',
    '-A X -m tcp -p tcp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-B',
    '-A X -m udp -p udp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-A',
  ]) {
    assert.notEqual(canonicalRule(other), canonicalRule(base), other);
  }
});

for (const backend of ['nft', 'legacy'] as const) {
  describe(`kernelView on ${backend}`, () => {
    const ns = `skiffpk-${randomBytes(4).toString('hex')}`;
    let ipt: ExecIptables;
    before(() => {
      execFileSync('ip', ['netns', 'add', ns]);
      ipt = new ExecIptables({ backend, netns: `/run/netns/${ns}`, timeoutMs: 60_000 });
    });
    after(() => {
      execFileSync('ip', ['netns', 'del', ns]);
    });
    const saveBoth = async () => ({ filter: await ipt.save('filter'), nat: await ipt.save('nat') });

    test('what was applied reads back as right; an edited or stale chain does not', async () => {
      const rules = renderRules(PORTS, OPTS);
      await ipt.restore(planSync(rules).payload, { noflush: true });
      const view = kernelView(rules, await saveBoth());
      assert.deepEqual(view.differing, []);
      assert.equal(planSync(rules, view.base, view.present).payload, '');

      // One rule edited by hand, and a chain left by an older ruleset.
      const svc = serviceChain('default/a', 'TCP');
      const cmd = backend === 'nft' ? 'iptables-nft' : 'iptables-legacy';
      const nsexec = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, cmd, ...args]);
      nsexec('-t', 'nat', '-R', svc, '4', '-j', 'SKIFF-MARK-MASQ');
      nsexec('-t', 'nat', '-N', 'SKIFF-SVC-OLDOLDOLDOLDOLD1');
      const edited = kernelView(rules, await saveBoth());
      assert.deepEqual(edited.differing, [`nat/${svc}`]);
      const plan = planSync(rules, edited.base, edited.present);
      assert.deepEqual(plan.written, [`nat/${svc}`]);
      assert.deepEqual(plan.deleted, ['nat/SKIFF-SVC-OLDOLDOLDOLDOLD1']);
      await ipt.restore(plan.payload, { noflush: true });
      assert.deepEqual(kernelView(rules, await saveBoth()).differing, []);
    });

    test('large cluster mode (rules without comments) reads back as right', async () => {
      // 101 services × 10 endpoints: above LARGE_CLUSTER_ENDPOINTS.
      const many: ServicePortInfo[] = Array.from({ length: 101 }, (_, i) => ({
        name: `default/many-${i}`,
        protocol: i % 2 === 0 ? 'TCP' : 'UDP',
        clusterIP: `10.96.1.${i + 1}`,
        port: 80,
        ...(i === 0 ? { affinitySeconds: 60 } : {}),
        endpoints: ep(Array.from({ length: 10 }, (_, k) => `10.244.${k}.${i + 1}`)),
      }));
      const rules = renderRules([...PORTS, ...many], OPTS);
      const sep = [...rules.nat.keys()].find((chain) => chain.startsWith('SKIFF-SEP-')) ?? '';
      assert.ok(!(rules.nat.get(sep) ?? []).some((line) => line.includes('comment')));
      const before = kernelView(rules, await saveBoth());
      await ipt.restore(planSync(rules, before.base, before.present).payload, { noflush: true });
      const view = kernelView(rules, await saveBoth());
      assert.deepEqual(view.differing, []);
      assert.equal(planSync(rules, view.base, view.present).payload, '');
    });
  });
}

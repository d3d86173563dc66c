/**
 * RuleSyncer on real iptables (both backends), in a network namespace this
 * test creates and deletes: a first sync in bounded steps, a restart that
 * writes nothing, repairs of a flushed chain, a stale chain and a missing
 * builtin jump, and rules that are not the proxy's left alone.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BUILTIN_JUMPS } from '../../../node-agent/proxy/builtin-jumps.ts';
import { SERVICES_CHAIN } from '../../../node-agent/proxy/chain-names.ts';
import { BACKEND_COMMANDS, ExecIptables } from '../../../node-agent/proxy/iptables.ts';
import { kernelView } from '../../../node-agent/proxy/kernel-view.ts';
import { renderRules } from '../../../node-agent/proxy/render-rules.ts';
import { RuleSyncer } from '../../../node-agent/proxy/rule-syncer.ts';
import type { ServicePortInfo } from '../../../node-agent/proxy/service-ports.ts';

const OPTS = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/16' };

function ports(n: number, offset = 0): ServicePortInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `default/s${String(i).padStart(3, '0')}`,
    protocol: i % 5 === 0 ? ('UDP' as const) : ('TCP' as const),
    clusterIP: `10.96.1.${i + 1}`,
    port: 80,
    nodePort: i % 7 === 0 ? 30000 + i : undefined,
    affinitySeconds: i % 11 === 0 ? 600 : undefined,
    endpoints:
      i % 13 === 0 ? [] : [1, 2, 3].map((k) => ({ ip: `10.244.${k}.${i + offset}`, port: 8080 })),
  }));
}

for (const backend of ['nft', 'legacy'] as const) {
  describe(`RuleSyncer on ${backend}`, () => {
    const ns = `skiffps-${randomBytes(4).toString('hex')}`;
    const cli = BACKEND_COMMANDS[backend].iptables;
    const run = (...args: string[]): string =>
      execFileSync('ip', ['netns', 'exec', ns, cli, '-w', ...args]).toString();
    let ipt: ExecIptables;
    // Everything but the "# Generated/Completed" lines, which carry a timestamp.
    const save = async (): Promise<string> =>
      (await ipt.save())
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n');

    before(() => {
      execFileSync('ip', ['netns', 'add', ns]);
      ipt = new ExecIptables({ backend, netns: `/run/netns/${ns}`, timeoutMs: 60_000 });
      // Not the proxy's: another skiff chain and a rule in a builtin chain.
      run('-t', 'nat', '-N', 'SKIFF-POD-MASQ');
      run('-t', 'nat', '-A', 'SKIFF-POD-MASQ', '-s', '10.244.0.0/16', '-j', 'MASQUERADE');
      run('-t', 'filter', '-A', 'FORWARD', '-s', '192.0.2.0/24', '-j', 'ACCEPT');
    });
    after(() => {
      execFileSync('ip', ['netns', 'del', ns]);
    });

    test('first sync in steps, restart, repairs; nothing else touched', async () => {
      const rules = renderRules(ports(60), OPTS);
      const first = await new RuleSyncer({ iptables: ipt, stepRules: 100 }).sync(rules);
      assert.ok(first.restores > 3, `${first.restores} restores`);
      assert.equal(first.jumpsInserted, BUILTIN_JUMPS.length);
      for (const jump of BUILTIN_JUMPS) assert.equal(await ipt.hasJump(jump), true);
      const good = await save();
      assert.deepEqual(kernelView(rules, good).differing, []);
      assert.match(good, /^-A SKIFF-POD-MASQ -s 10\.244\.0\.0\/16 -j MASQUERADE$/m);
      assert.match(good, /^-A FORWARD -s 192\.0\.2\.0\/24 -j ACCEPT$/m);

      // A restart with nothing changed reads back once and writes nothing.
      const syncer = new RuleSyncer({ iptables: ipt, stepRules: 100 });
      const again = await syncer.sync(rules);
      assert.deepEqual([again.verified, again.restores, again.rules], [true, 0, 0]);
      assert.equal(await syncer.countsMatch(), true);

      // A flushed dispatch chain, a stale chain and a deleted jump: the counts differ, and a
      // verifying sync rewrites only what is wrong.
      run('-t', 'nat', '-F', SERVICES_CHAIN);
      run('-t', 'nat', '-N', 'SKIFF-SVC-STALESTALESTALE1');
      const jump = BUILTIN_JUMPS[0];
      assert.ok(jump);
      run('-t', jump.table, '-D', jump.chain, ...jump.spec);
      assert.equal(await syncer.countsMatch(), false);
      syncer.invalidate();
      const repair = await syncer.sync(rules);
      assert.deepEqual(repair.written, [`nat/${SERVICES_CHAIN}`]);
      assert.deepEqual(repair.deleted, ['nat/SKIFF-SVC-STALESTALESTALE1']);
      assert.equal(repair.jumpsInserted, 1);
      assert.equal(await save(), good);

      // A rule edited by hand keeps the counts; the full check sees it, a verifying sync repairs it.
      assert.equal(await syncer.verify(), true);
      const svc = [...rules.nat.keys()].find((c) => c.startsWith('SKIFF-SVC-')) ?? '';
      run('-t', 'nat', '-R', svc, '1', '-j', 'RETURN');
      assert.equal(await syncer.countsMatch(), true);
      assert.equal(await syncer.verify(), false);
      syncer.invalidate();
      assert.deepEqual((await syncer.sync(rules)).written, [`nat/${svc}`]);
      assert.equal(await save(), good);

      // A partial sync of changed endpoints, then back: byte-identical to the first state.
      const changed = renderRules(ports(60, 100), OPTS);
      const partial = await syncer.sync(changed);
      assert.equal(partial.verified, false);
      assert.deepEqual(kernelView(changed, await save()).differing, []);
      await syncer.sync(rules);
      assert.equal(await save(), good);
    });
  });
}

/**
 * The runner against real iptables, both backends, each in a network
 * namespace this test creates (and deletes in `after`, even on failure):
 * the host's own tables are never touched.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BUILTIN_JUMPS } from '../../../node-agent/proxy/builtin-jumps.ts';
import { CANARY_CHAIN, serviceChain } from '../../../node-agent/proxy/chain-names.ts';
import { execCommand } from '../../../node-agent/proxy/exec-command.ts';
import { detectBackend } from '../../../node-agent/proxy/iptables-backend.ts';
import { IptablesError } from '../../../node-agent/proxy/iptables-error.ts';
import {
  BACKEND_COMMANDS,
  ExecIptables,
  type Backend,
} from '../../../node-agent/proxy/iptables.ts';
import { planSync } from '../../../node-agent/proxy/plan-sync.ts';
import { renderRules } from '../../../node-agent/proxy/render-rules.ts';
import { countRules, type Ruleset } from '../../../node-agent/proxy/ruleset.ts';
import { parseSave } from '../../../node-agent/proxy/saved-rules.ts';
import type { ServicePortInfo } from '../../../node-agent/proxy/service-ports.ts';

const OPTS = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/16' };

function services(bEndpoints: string[]): ServicePortInfo[] {
  const ep = (ips: string[]) => ips.map((ip) => ({ ip, port: 8080 }));
  return [
    {
      name: 'default/a',
      protocol: 'TCP',
      clusterIP: '10.96.0.11',
      port: 80,
      nodePort: 30080,
      endpoints: ep(['10.244.1.1', '10.244.1.2', '10.244.1.3']),
    },
    {
      name: 'default/b',
      protocol: 'UDP',
      clusterIP: '10.96.0.12',
      port: 53,
      affinitySeconds: 10800,
      endpoints: ep(bEndpoints),
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
}

/** iptables-save of both tables without the "# Generated ..." lines that carry a timestamp. */
async function saveBoth(ipt: ExecIptables): Promise<string> {
  const text = (await ipt.save('filter')) + (await ipt.save('nat'));
  return text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

/** Rule count per skiff chain in the kernel, and the same from a rendered ruleset. */
function kernelCounts(saved: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of ['filter', 'nat'] as const) {
    for (const [chain, rules] of parseSave(saved, table)) {
      if (chain.startsWith('SKIFF-')) out[`${table}/${chain}`] = rules.length;
    }
  }
  return out;
}
function renderedCounts(rules: Ruleset): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of ['filter', 'nat'] as const) {
    for (const [chain, lines] of rules[table]) out[`${table}/${chain}`] = lines.length;
  }
  return out;
}

for (const backend of ['nft', 'legacy'] as const satisfies readonly Backend[]) {
  describe(`real iptables (${backend}) in a fresh network namespace`, () => {
    const ns = `skiffpx-${randomBytes(4).toString('hex')}`;
    const netns = `/run/netns/${ns}`;
    let ipt: ExecIptables;

    before(() => {
      execFileSync('ip', ['netns', 'add', ns]);
      ipt = new ExecIptables({ backend, netns, timeoutMs: 60_000 });
    });
    after(() => {
      execFileSync('ip', ['netns', 'del', ns]);
    });

    test('full sync, jumps, no-op resync, partial update, canary, errors, detection', async () => {
      const first = renderRules(services(['10.244.2.1']), OPTS);
      await ipt.restore(planSync(first).payload, { noflush: true });
      for (const jump of BUILTIN_JUMPS) assert.equal(await ipt.ensureJump(jump), true);
      for (const jump of BUILTIN_JUMPS) assert.equal(await ipt.ensureJump(jump), false);

      const saved = await saveBoth(ipt);
      assert.deepEqual(kernelCounts(saved), renderedCounts(first));
      assert.equal(
        countRules(first),
        Object.values(kernelCounts(saved)).reduce((a, b) => a + b, 0),
      );
      // iptables-save prints its canonical form; check a few rules made it in as meant.
      const nat = saved.slice(saved.indexOf('*nat'));
      assert.match(
        nat,
        /-A PREROUTING -m comment --comment "skiff service portals" -j SKIFF-SERVICES/,
      );
      assert.match(
        nat,
        /-d 10\.96\.0\.11\/32 -p tcp -m comment --comment "default\/a cluster IP" -m tcp --dport 80 -j SKIFF-SVC-/,
      );
      assert.match(nat, /-m statistic --mode random --probability 0\.33333333349 -j SKIFF-SEP-/);
      assert.match(
        nat,
        /-p udp .*-m recent --set --name SKIFF-SEP-\S+ .*-j DNAT --to-destination 10\.244\.2\.1:8080/,
      );
      assert.match(
        saved,
        /-A SKIFF-SERVICES -d 10\.96\.0\.13\/32 -p tcp -m comment --comment "default\/c has no endpoints" -m tcp --dport 80 -j REJECT/,
      );

      // No-op: nothing to write; and a whole rewrite (a restart) leaves the tables byte-identical.
      assert.equal(planSync(first, first).payload, '');
      await ipt.restore(planSync(first).payload, { noflush: true });
      for (const jump of BUILTIN_JUMPS) assert.equal(await ipt.ensureJump(jump), false);
      assert.equal(await saveBoth(ipt), saved);

      // Partial: one endpoint added to b changes its SVC chain and adds one SEP; nothing else moves.
      const second = renderRules(services(['10.244.2.1', '10.244.2.2']), OPTS);
      const plan = planSync(second, first);
      assert.equal(plan.written.length, 2);
      assert.ok(plan.written.includes(`nat/${serviceChain('default/b', 'UDP')}`));
      await ipt.restore(plan.payload, { noflush: true });
      const after2 = await saveBoth(ipt);
      assert.deepEqual(kernelCounts(after2), renderedCounts(second));
      for (const table of ['filter', 'nat'] as const) {
        const before = parseSave(saved, table);
        for (const [chain, rules] of parseSave(after2, table)) {
          if (plan.written.includes(`${table}/${chain}`)) continue;
          assert.deepEqual(rules, before.get(chain), `${table}/${chain} unchanged`);
        }
      }

      // Back to one endpoint: the stale SEP chain is deleted, state equals the first sync.
      await ipt.restore(planSync(first, second).payload, { noflush: true });
      assert.equal(await saveBoth(ipt), saved);

      // Canary: present, then gone after someone flushes and deletes it.
      assert.equal(await ipt.chainExists('nat', CANARY_CHAIN), true);
      const cli = BACKEND_COMMANDS[backend].iptables;
      const run = execCommand({ netns });
      assert.equal((await run([cli, '-w', '-t', 'nat', '-X', CANARY_CHAIN])).code, 0);
      assert.equal(await ipt.chainExists('nat', CANARY_CHAIN), false);
      assert.equal(await ipt.chainExists('filter', CANARY_CHAIN), true);

      // A failed restore names the table, the line and its text; the table is left as it was.
      const before = await saveBoth(ipt);
      const bad =
        '*nat\n:SKIFF-SERVICES - [0:0]\n-A SKIFF-SERVICES -j SKIFF-NO-SUCH-CHAIN\nCOMMIT\n';
      const err = await ipt.restore(bad, { noflush: true }).then(
        () => assert.fail('restore of a bad payload succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IptablesError, String(err));
      assert.equal(err.table, 'nat');
      assert.ok(err.line === 3 || err.line === 4, `line ${err.line}`);
      assert.match(
        err.message,
        new RegExp(`${BACKEND_COMMANDS[backend].restore}.*table nat.*line`),
      );
      assert.equal(await saveBoth(ipt), before);

      // Detection sees our canary (still in filter) in this backend's rules.
      const detected = await detectBackend(run);
      assert.equal(detected.backend, backend);
      assert.equal(detected.reason, 'hint chain');
    });
  });
}

test('detectBackend in an empty namespace falls back to iptables --version', async () => {
  const ns = `skiffpx-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const d = await detectBackend(execCommand({ netns: `/run/netns/${ns}` }));
    assert.equal(d.reason, 'iptables --version');
    const version = execFileSync('iptables', ['--version']).toString();
    assert.equal(d.backend, version.includes('(legacy)') ? 'legacy' : 'nft');
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});

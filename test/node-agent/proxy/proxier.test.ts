/**
 * The proxy loop against a real API server (in-process, SQLite) and real
 * iptables (the default nft backend) in network namespaces this test
 * creates and deletes in `after`, even on failure: the host's tables are
 * never touched. The second part runs the proxy as the agent does: on
 * informers the agent owns (shared with its DNS server), with kube-dns
 * seen through the local DNS view.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../../control-plane/api/client/client.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Endpoints, Service } from '../../../control-plane/api/types.ts';
import { serviceChain } from '../../../node-agent/proxy/chain-names.ts';
import type { ConntrackRunner, UdpFlowFilter } from '../../../node-agent/proxy/conntrack.ts';
import { ExecIptables } from '../../../node-agent/proxy/iptables.ts';
import { KUBE_DNS, withLocalDnsItems } from '../../../node-agent/proxy/local-dns-endpoints.ts';
import { startProxy, type Proxy } from '../../../node-agent/proxy/proxier.ts';
import { newServiceInformers, runServiceInformers } from '../../../node-agent/service-informers.ts';
import { ApiFixture, eventually, quietLogger } from '../../control-plane/api/client/api-fixture.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;
/** The node's settings, the same in every proxy here. */
const NODE = {
  clusterCIDR: '10.244.0.0/16',
  serviceCIDR: '10.96.0.0/16',
  nodeName: 'node-a',
  log: quietLogger,
  minSyncPeriodMs: 100,
};

function service(name: string, ip: string, protocol: 'TCP' | 'UDP' = 'TCP'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { clusterIP: ip, ports: [{ port: 80, protocol, targetPort: 8080 }] },
  } as Service;
}

function endpoints(name: string, ips: string[], protocol: 'TCP' | 'UDP' = 'TCP'): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080, protocol }] }],
  } as Endpoints;
}

/** Records the conntrack deletions asked for (the real command is covered by conntrack.test.ts). */
class RecordingConntrack implements ConntrackRunner {
  readonly calls: UdpFlowFilter[] = [];
  deleteUdp(f: UdpFlowFilter): Promise<number> {
    this.calls.push(f);
    return Promise.resolve(0);
  }
}

describe('startProxy against a real API server and real iptables', () => {
  const ns = `skiffpl-${randomBytes(4).toString('hex')}`;
  const netns = `/run/netns/${ns}`;
  let fx: ApiFixture;
  let client: ApiClient;
  let ipt: ExecIptables;
  let proxy: Proxy | undefined;
  const conntrack = new RecordingConntrack();

  const save = async (): Promise<string> =>
    ((await ipt.save('filter')) + (await ipt.save('nat')))
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
  const start = (): Promise<Proxy> =>
    startProxy({
      ...NODE,
      client,
      iptables: ipt,
      canaryCheckMs: 500,
      conntrack,
    });

  before(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    ipt = new ExecIptables({ backend: 'nft', netns, timeoutMs: 60_000 });
    fx = await ApiFixture.start();
    client = fx.client();
  });
  after(async () => {
    try {
      await proxy?.stop();
      await fx?.destroy();
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });

  test('syncs, updates partially, repairs, restarts without writing, survives the API going away', async () => {
    await client.create(SERVICES, service('web', '10.96.0.11'));
    await client.create(SERVICES, service('db', '10.96.0.12'));
    await client.create(SERVICES, service('dns', '10.96.0.13', 'UDP'));
    await client.create(ENDPOINTS, endpoints('web', ['10.244.1.1', '10.244.1.2']));
    await client.create(ENDPOINTS, endpoints('db', ['10.244.2.1']));
    await client.create(ENDPOINTS, endpoints('dns', ['10.244.3.1', '10.244.3.2'], 'UDP'));

    proxy = await start();
    await proxy.ready;
    const web = serviceChain('default/web', 'TCP');
    const db = serviceChain('default/db', 'TCP');
    const dns = serviceChain('default/dns', 'UDP');
    const saved = await save();
    for (const chain of [web, db, dns]) assert.match(saved, new RegExp(`^:${chain} `, 'm'));
    assert.match(saved, /-A SKIFF-SERVICES -d 10\.96\.0\.11\/32 .* -j SKIFF-SVC-/);
    assert.match(saved, /-A PREROUTING .* -j SKIFF-SERVICES/);

    // An endpoint change rewrites that service's chains and the top-level ones only.
    const before1 = proxy.metrics();
    await client.update(ENDPOINTS, endpoints('web', ['10.244.1.1', '10.244.1.3']));
    await eventually('the new web endpoint in the rules', async () =>
      (await save()).includes('--to-destination 10.244.1.3:8080'),
    );
    await eventually('the sync counted', () => proxy?.metrics().syncs !== before1.syncs);
    const m1 = proxy.metrics();
    assert.ok(m1.lastChainsWritten.includes(`nat/${web}`), m1.lastChainsWritten.join(','));
    for (const chain of m1.lastChainsWritten) {
      assert.ok(!chain.includes(db) && !chain.includes(dns), `rewrote ${chain}`);
    }
    assert.ok(!(await save()).includes('10.244.1.2:8080'), 'the removed endpoint is gone');

    // A UDP endpoint removed: its stale flows are deleted.
    await client.update(ENDPOINTS, endpoints('dns', ['10.244.3.1'], 'UDP'));
    await eventually('conntrack cleanup for 10.244.3.2', () =>
      conntrack.calls.some((c) => c.origDst === '10.96.0.13' && c.dstNat === '10.244.3.2'),
    );

    // Deleting a service removes its chains.
    await client.delete(SERVICES, 'db', { namespace: 'default' });
    await eventually('the db chain deleted', async () => !(await save()).includes(db));

    // A hand-made flush of one service chain is repaired (count check).
    execFileSync('ip', ['netns', 'exec', ns, 'iptables-nft', '-t', 'nat', '-F', web]);
    assert.ok(!(await save()).includes(`-A ${web} `));
    await eventually('the flushed chain repaired', async () =>
      (await save()).includes(`-A ${web} `),
    );
    // The canary gone (a whole-table flush): everything comes back.
    // (a restore without --noflush empties the table and deletes its chains in one commit)
    execFileSync('ip', ['netns', 'exec', ns, 'iptables-nft-restore'], { input: '*nat\nCOMMIT\n' });
    await eventually('the nat table repaired', async () => {
      const s = await save();
      return s.includes(`-A ${web} `) && /-A PREROUTING .* -j SKIFF-SERVICES/.test(s);
    });
    await proxy.syncNow();
    const good = await save();

    // Restart with nothing changed: ready, and nothing written.
    await proxy.stop();
    proxy = await start();
    await proxy.ready;
    const m2 = proxy.metrics();
    assert.equal(m2.rulesWritten, 0);
    assert.equal(m2.restores, 0);
    assert.equal(await save(), good);

    // The API server gone: the rules stay byte-identical.
    await fx.stop();
    await new Promise((r) => setTimeout(r, 3000));
    await proxy.syncNow();
    assert.equal(await save(), good);
    assert.equal(proxy.metrics().failures, 0);
    await proxy.stop();
    proxy = undefined;
    assert.equal(await save(), good, 'stopping leaves the rules in place');
  });
});

describe('startProxy on informers it does not own, with a view of the Endpoints', () => {
  const ns = `skiffpi-${randomBytes(4).toString('hex')}`;
  let fx: ApiFixture;
  let ipt: ExecIptables;
  before(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    ipt = new ExecIptables({ backend: 'nft', netns: `/run/netns/${ns}`, timeoutMs: 60_000 });
    fx = await ApiFixture.start();
  });
  after(async () => {
    try {
      await fx?.destroy();
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });

  test('waits for their owner to run them; kube-dns goes to the local server, then to ready pods', async () => {
    const client = fx.client();
    const informers = newServiceInformers(client, { logger: quietLogger });
    const local = { ...KUBE_DNS, ip: '10.244.9.9', port: 5353 };
    const proxy = await startProxy({
      informers,
      endpointsView: (eps) => withLocalDnsItems(eps, local),
      ...NODE,
      iptables: ipt,
    });
    const ac = new AbortController();
    let run: Promise<void> | undefined;
    try {
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(proxy.metrics().syncs, 0, 'the proxy started no informer of its own');
      run = runServiceInformers(informers, ac.signal);
      await proxy.ready;
      const nat = () => ipt.save('nat');
      // The API server made kube-system/kube-dns; it has no endpoints: the local server.
      assert.match(await nat(), /-p udp .*-j DNAT --to-destination 10\.244\.9\.9:5353/);
      assert.match(await nat(), /-p tcp .*-j DNAT --to-destination 10\.244\.9\.9:5353/);
      const dnsPods: Endpoints = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'kube-dns', namespace: 'kube-system' },
        subsets: [
          {
            addresses: [{ ip: '10.244.1.7' }],
            ports: [
              { name: 'dns', port: 53, protocol: 'UDP' },
              { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            ],
          },
        ],
      };
      await client.create(ENDPOINTS, dnsPods);
      await eventually('ready DNS pods win', async () => {
        const s = await nat();
        return s.includes('10.244.1.7:53') && !s.includes('10.244.9.9:5353');
      });
      await client.delete(ENDPOINTS, 'kube-dns', { namespace: 'kube-system' });
      await eventually('back to the local server', async () => {
        const s = await nat();
        return !s.includes('10.244.1.7:53') && s.includes('10.244.9.9:5353');
      });
    } finally {
      await proxy.stop();
      ac.abort();
      await run;
    }
  });
});

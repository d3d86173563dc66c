// The agent's DNS wiring: startNodeDns on loopback answering from the
// agent's shared informers, run by their owner (over a scripted list source:
// the server itself is proved against a real API server in
// dns/dns-server.test.ts), with an operator's message when the port is taken.
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ListWatcher } from '../../control-plane/api/client/informer.ts';
import { createLogger } from '../../control-plane/api/log.ts';
import type { ResourceInfo } from '../../control-plane/api/resources.ts';
import type { KubeObject, List, WatchEvent } from '../../control-plane/api/types.ts';
import { kubeDnsService } from '../../control-plane/apiserver/kube-dns-service.ts';
import { startNodeDns } from '../../node-agent/agent-dns.ts';
import { newServiceInformers, runServiceInformers } from '../../node-agent/service-informers.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-agent-dns-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const quiet = createLogger({}, { level: 'error' });

/** Lists the kube-dns Service (services) or nothing, then a watch silent until aborted. */
const source: ListWatcher = {
  listAll<T extends KubeObject>(r: ResourceInfo): Promise<List<T>> {
    const items = r.plural === 'services' ? [kubeDnsService('10.96.0.10') as T] : [];
    return Promise.resolve({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '1' },
      items,
    });
  },
  async *watch<T extends KubeObject>(
    _r: ResourceInfo,
    opts?: { signal?: AbortSignal },
  ): AsyncIterable<WatchEvent<T>> {
    await new Promise<void>((resolve) => {
      if (opts?.signal?.aborted) resolve();
      opts?.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  },
};

test('startNodeDns listens, answers cluster names, and says what to do when the port is taken', async () => {
  // The node's resolver is the cluster DNS itself here: dropped as an upstream (it would loop).
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 10.96.0.10\n');
  const ac = new AbortController();
  // The agent's shared informers, run by their owner once the server has attached.
  const informers = newServiceInformers(source, { logger: quiet });
  const common = {
    informers,
    nodeIp: '127.0.0.1',
    clusterDomain: 'cluster.local',
    clusterDns: ['10.96.0.10'],
    resolvConfPath: resolvConf,
    log: quiet,
  };
  const dns = await startNodeDns({ ...common, port: 0, signal: ac.signal });
  const run = runServiceInformers(informers, ac.signal);
  try {
    assert.ok(dns.port > 0);
    const r = new Resolver({ timeout: 2_000, tries: 5 });
    r.setServers([`127.0.0.1:${dns.port}`]);
    assert.deepEqual(await r.resolve4('kube-dns.kube-system.svc.cluster.local'), ['10.96.0.10']);
    const second = new AbortController();
    await assert.rejects(
      startNodeDns({ ...common, port: dns.port, signal: second.signal }),
      new RegExp(
        `cannot serve cluster DNS on 127\\.0\\.0\\.1:${dns.port} \\(EADDRINUSE\\).*--dns-port`,
      ),
    );
    second.abort();
  } finally {
    ac.abort();
    await dns.done;
    await run;
  }
});

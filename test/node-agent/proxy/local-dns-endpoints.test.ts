// The proxy's view of kube-dns: this node's DNS server stands in for the
// service whenever the API holds no ready endpoints for it, and a user's
// ready DNS pods win. The last tests take the view of a real Informer's
// cache as events arrive, and feed the view to the proxy's real
// buildServicePorts with the Service the API server makes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Informer, type ListWatcher } from '../../../control-plane/api/client/informer.ts';
import { createLogger } from '../../../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type {
  Endpoints,
  KubeObject,
  List,
  Service,
  WatchEvent,
} from '../../../control-plane/api/types.ts';
import { kubeDnsService } from '../../../control-plane/apiserver/kube-dns-service.ts';
import {
  KUBE_DNS,
  localDnsEndpoints,
  withLocalDnsItems,
  type LocalDnsTarget,
} from '../../../node-agent/proxy/local-dns-endpoints.ts';
import { buildServicePorts } from '../../../node-agent/proxy/service-ports.ts';

const T: LocalDnsTarget = { ...KUBE_DNS, ip: '172.30.0.11', port: 53, nodeName: 'n1' };
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;

function eps(
  name: string,
  ns: string,
  subsets: Endpoints['subsets'],
  resourceVersion?: string,
): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns, ...(resourceVersion ? { resourceVersion } : {}) },
    subsets,
  };
}

const LOCAL_SUBSETS: Endpoints['subsets'] = [
  {
    addresses: [{ ip: '172.30.0.11', nodeName: 'n1' }],
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  },
];
const USER_SUBSETS: Endpoints['subsets'] = [
  {
    addresses: [{ ip: '10.244.1.5' }],
    ports: [
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
    ],
  },
];

const cases: { name: string; api: Endpoints | undefined; want: Endpoints['subsets'] }[] = [
  { name: 'no Endpoints in the API: the local server', api: undefined, want: LOCAL_SUBSETS },
  {
    name: 'no subsets: the local server',
    api: eps('kube-dns', 'kube-system', [], '7'),
    want: LOCAL_SUBSETS,
  },
  {
    name: 'only not-ready addresses: the local server',
    api: eps('kube-dns', 'kube-system', [{ notReadyAddresses: [{ ip: '10.244.1.5' }] }], '7'),
    want: LOCAL_SUBSETS,
  },
  {
    name: "a user's ready DNS pods win",
    api: eps('kube-dns', 'kube-system', USER_SUBSETS, '7'),
    want: USER_SUBSETS,
  },
];
for (const tc of cases) {
  test(`localDnsEndpoints: ${tc.name}`, () => {
    const got = localDnsEndpoints(tc.api, T);
    assert.deepEqual(got.subsets, tc.want);
    assert.equal(got.metadata.name, 'kube-dns');
    assert.equal(got.metadata.namespace, 'kube-system');
    assert.equal(got.metadata.resourceVersion, tc.api?.metadata.resourceVersion);
  });
}

test('withLocalDnsItems adds the local Endpoints or replaces an empty one, nothing else changes', () => {
  const other = eps('web', 'default', USER_SUBSETS, '3');
  const input = [other];
  const added = withLocalDnsItems(input, T);
  assert.deepEqual(input, [other], 'the input is not changed');
  assert.deepEqual(added[0], other);
  assert.deepEqual(added[1]?.subsets, LOCAL_SUBSETS);
  const replaced = withLocalDnsItems([eps('kube-dns', 'kube-system', [], '5'), other], T);
  assert.equal(replaced.length, 2);
  assert.deepEqual(replaced[0]?.subsets, LOCAL_SUBSETS);
  assert.equal(replaced[0]?.metadata.resourceVersion, '5');
  // The same name in another namespace is not the target.
  const elsewhere = withLocalDnsItems([eps('kube-dns', 'default', USER_SUBSETS)], T);
  assert.deepEqual(elsewhere[0]?.subsets, USER_SUBSETS);
  assert.deepEqual(elsewhere[1]?.subsets, LOCAL_SUBSETS);
});

/** A scripted source: one list, then the watch events, then silence until aborted. */
class ScriptedSource implements ListWatcher {
  readonly calls: string[] = [];
  private readonly items: KubeObject[];
  private readonly script: WatchEvent[];
  constructor(items: KubeObject[], script: WatchEvent[]) {
    this.items = items;
    this.script = script;
  }
  listAll<T extends KubeObject>(r: ResourceInfo): Promise<List<T>> {
    this.calls.push(`list ${r.plural}`);
    const kind = `${r.kind}List`;
    return Promise.resolve({
      apiVersion: 'v1',
      kind,
      metadata: { resourceVersion: '10' },
      items: this.items.filter((o) => o.kind === r.kind) as T[],
    });
  }
  async *watch<T extends KubeObject>(
    r: ResourceInfo,
    opts?: { signal?: AbortSignal },
  ): AsyncIterable<WatchEvent<T>> {
    this.calls.push(`watch ${r.plural}`);
    for (const ev of this.script.filter((e) => e.object.kind === r.kind)) yield ev as WatchEvent<T>;
    this.script.length = 0;
    await new Promise<void>((resolve) => {
      if (opts?.signal?.aborted) resolve();
      opts?.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

const quiet = createLogger({}, { level: 'error' });

/**
 * Runs a real Endpoints informer over `src`; after its list and each event,
 * records kube-dns as the proxy's view of the cache shows it.
 */
async function kubeDnsStates(src: ScriptedSource, until: number): Promise<Endpoints[]> {
  const ac = new AbortController();
  const seen: Endpoints[] = [];
  const inf = new Informer<Endpoints>({ client: src, resource: ENDPOINTS, logger: quiet });
  const record = () => {
    const view = withLocalDnsItems(inf.list(), T).find((e) => e.metadata.name === 'kube-dns');
    assert.ok(view, 'always present');
    seen.push(view);
  };
  inf.on('synced', record).on('add', record).on('update', record).on('delete', record);
  const run = inf.start(ac.signal);
  const deadline = Date.now() + 10_000;
  while (seen.length < until && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  ac.abort();
  await run;
  return seen;
}

test('through a real Informer: the local server, a user DNS pod, back to the local server', async () => {
  const rv = (n: number) => String(n);
  const src = new ScriptedSource(
    [],
    [
      { type: 'ADDED', object: eps('kube-dns', 'kube-system', [], rv(11)) },
      { type: 'MODIFIED', object: eps('kube-dns', 'kube-system', USER_SUBSETS, rv(12)) },
      { type: 'DELETED', object: eps('kube-dns', 'kube-system', USER_SUBSETS, rv(13)) },
    ],
  );
  const states = await kubeDnsStates(src, 4);
  // Listed (none in the API: the stand-in), ADDED empty (the stand-in at its revision), a ready
  // user pod, deleted (the stand-in again, with no API object to take a revision from).
  assert.deepEqual(
    states.map((e) => [e.metadata.resourceVersion, e.subsets]),
    [
      [undefined, LOCAL_SUBSETS],
      ['11', LOCAL_SUBSETS],
      ['12', USER_SUBSETS],
      [undefined, LOCAL_SUBSETS],
    ],
  );
  assert.deepEqual(src.calls, ['list endpoints', 'watch endpoints']);
});

test('the Service the API server makes and the local Endpoints give the proxy node IP:53 on both protocols', () => {
  const svc = kubeDnsService('10.96.0.10') as Service;
  const ports = buildServicePorts([svc], [localDnsEndpoints(undefined, T)]);
  assert.deepEqual(
    ports.map((p) => [p.name, p.protocol, p.clusterIP, p.port, p.endpoints]),
    [
      ['kube-system/kube-dns:dns', 'UDP', '10.96.0.10', 53, [{ ip: '172.30.0.11', port: 53 }]],
      ['kube-system/kube-dns:dns-tcp', 'TCP', '10.96.0.10', 53, [{ ip: '172.30.0.11', port: 53 }]],
    ],
  );
});

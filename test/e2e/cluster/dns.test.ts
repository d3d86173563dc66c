// Cluster DNS end to end: two test nodes with a real skiff agent each
// (its DNS server on the node IP, its proxy sending the kube-dns ClusterIP
// there) and pods whose resolv.conf the kubelet wrote. From inside a pod,
// node's resolver (glibc getaddrinfo through the pod's resolv.conf, and
// c-ares straight at 10.96.0.10) resolves services by short, namespaced
// and full names, a headless service to its pods on both nodes, and an
// unknown cluster name to NXDOMAIN, also while the API server is stopped.
// The agents' upstream is a loopback address: no query leaves the test's
// namespaces.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import type { Endpoints, Pod, Service } from '../../../control-plane/api/types.ts';
import { ECHO_IMAGE } from '../../../deploy/local-cluster/index.ts';
import { PODS, startAgentCluster, type AgentCluster } from '../fixtures/agent-cluster.ts';
import { containerStatus, podManifest } from '../agent/pod-helpers.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;
const KUBE_DNS_IP = '10.96.0.10';
// The nodes' resolver as the agents read it: loopback, so nothing is ever forwarded off the machine.
const NODE_RESOLV_CONF = 'nameserver 127.0.0.53\n';

let c: AgentCluster;
let confDir: string;
const pods = new Map<string, Pod>();

before(async () => {
  confDir = mkdtempSync(join(tmpdir(), 'skiffd-resolv-'));
  const resolvConf = join(confDir, 'resolv.conf');
  writeFileSync(resolvConf, NODE_RESOLV_CONF);
  c = await startAgentCluster({
    prefix: 'skiffd',
    count: 2,
    agentArgs: ['--resolv-conf', resolvConf],
  });
  const echo = (name: string, node: string, spec: Partial<Pod['spec']> = {}) => {
    const p = podManifest(
      name,
      { containers: [{ name: 'app', image: ECHO_IMAGE }], ...spec },
      node,
    );
    return { ...p, metadata: { ...p.metadata, labels: { role: 'dnsweb' } } };
  };
  await c.client.create(PODS, echo('web-n1', 'n1'), { namespace: 'default' });
  await c.client.create(PODS, echo('web-n2', 'n2'), { namespace: 'default' });
  const plain = podManifest(
    'plain-dns',
    { containers: [{ name: 'app', image: ECHO_IMAGE }], dnsPolicy: 'Default' },
    'n2',
  );
  await c.client.create(PODS, plain, { namespace: 'default' });
  for (const name of ['web-n1', 'web-n2', 'plain-dns']) {
    pods.set(
      name,
      await c.waitPod(name, (p) => containerStatus(p, 'app')?.ready === true, 'ready'),
    );
  }
  await createService('web', {
    selector: { role: 'dnsweb' },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  });
  await createService('web-headless', {
    clusterIP: 'None',
    selector: { role: 'dnsweb' },
    ports: [{ name: 'http', port: 8080 }],
  });
  await waitEndpoints('web-headless', 2);
});
after(async () => {
  try {
    await c?.destroy();
  } finally {
    if (confDir) rmSync(confDir, { recursive: true, force: true });
  }
});

async function createService(name: string, spec: Service['spec']): Promise<Service> {
  return c.client.create<Service>(
    SERVICES,
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec },
    { namespace: 'default' },
  );
}

async function waitEndpoints(name: string, ready: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: Endpoints | undefined;
  while (Date.now() < deadline) {
    last = await c.client
      .get<Endpoints>(ENDPOINTS, name, { namespace: 'default' })
      .catch(() => undefined);
    const n = (last?.subsets ?? []).reduce((a, s) => a + (s.addresses?.length ?? 0), 0);
    if (n >= ready) return;
    await sleep(250);
  }
  assert.fail(`endpoints ${name}: ${ready} ready addresses not seen: ${JSON.stringify(last)}`);
}

/** Runs node with `script` (an ES module) inside pod `name`'s app container; its stdout. */
async function inPod(name: string, script: string): Promise<string> {
  const p = pods.get(name);
  assert.ok(p, `pod ${name} started`);
  const id = (containerStatus(p, 'app')?.containerID ?? '').replace('docker://', '');
  const node = c.node(p.spec.nodeName ?? '');
  const r = await node.run(
    'docker',
    ['-H', `unix://${node.dockerSocket}`, 'exec', id, 'node', '--input-type=module', '-e', script],
    { timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, `node in ${name} failed: ${r.stderr}`);
  return r.stdout;
}

const readResolvConf = `import { readFileSync } from 'node:fs';
process.stdout.write(readFileSync('/etc/resolv.conf', 'utf8'));`;

/** Every name looked up through the pod's resolv.conf (getaddrinfo), and some asked of 10.96.0.10 directly. */
function resolveScript(names: readonly string[], direct: readonly string[]): string {
  return `
import dns from 'node:dns';
const lookup = async (n) => {
  try { return (await dns.promises.lookup(n, { all: true, family: 4 })).map((a) => a.address).sort(); }
  catch (e) { return 'ERR ' + e.code; }
};
const r = new dns.promises.Resolver({ timeout: 3000, tries: 2 });
r.setServers([${JSON.stringify(KUBE_DNS_IP)}]);
const ask = async (n) => {
  try { return (await r.resolve4(n)).sort(); } catch (e) { return 'ERR ' + e.code; }
};
const out = { lookup: {}, direct: {} };
for (const n of ${JSON.stringify(names)}) out.lookup[n] = await lookup(n);
for (const n of ${JSON.stringify(direct)}) out.direct[n] = await ask(n);
console.log(JSON.stringify(out));`;
}

interface Answers {
  lookup: Record<string, string[] | string>;
  direct: Record<string, string[] | string>;
}

/** Runs resolveScript in pod `from` until `web` resolves (the rules may still be on their way). */
async function resolveFrom(from: string, names: string[], direct: string[]): Promise<Answers> {
  const deadline = Date.now() + 60_000;
  let last: Answers | undefined;
  while (Date.now() < deadline) {
    const out = (await inPod(from, resolveScript(names, direct))).trim().split('\n').pop() ?? '{}';
    last = JSON.parse(out) as Answers;
    if (Array.isArray(last.lookup.web)) return last;
    await sleep(500);
  }
  assert.fail(`no answer for "web" from ${from} within 60 s: ${JSON.stringify(last)}\n${c.logs()}`);
}

test('kube-system/kube-dns exists on 10.96.0.10 and a pod gets the cluster resolv.conf', async () => {
  const svc = await c.client.get<Service>(SERVICES, 'kube-dns', { namespace: 'kube-system' });
  assert.equal(svc.spec?.clusterIP, KUBE_DNS_IP);
  assert.equal(
    await inPod('web-n1', readResolvConf),
    `nameserver ${KUBE_DNS_IP}\n` +
      'search default.svc.cluster.local svc.cluster.local cluster.local\n' +
      'options ndots:5\n',
  );
});

test('a dnsPolicy Default pod gets the node resolv.conf, not the cluster nameserver', async () => {
  const conf = await inPod('plain-dns', readResolvConf);
  assert.equal(conf, NODE_RESOLV_CONF);
  assert.doesNotMatch(conf, /10\.96\.0\.10/);
});

test('from a pod: short, namespaced and full names resolve to the ClusterIP; headless to the pods; unknown is NXDOMAIN', async () => {
  const web = await c.client.get<Service>(SERVICES, 'web', { namespace: 'default' });
  const podIPs = ['web-n1', 'web-n2'].map((n) => pods.get(n)?.status?.podIP ?? '').sort();
  const a = await resolveFrom(
    'web-n1',
    [
      'web',
      'web.default',
      'web.default.svc.cluster.local',
      'web-headless',
      'kube-dns.kube-system',
      'nosuch.default.svc.cluster.local',
    ],
    [
      'web.default.svc.cluster.local',
      'nosuch.default.svc.cluster.local',
      'web.nosuchns.svc.cluster.local',
    ],
  );
  const clusterIP = [web.spec?.clusterIP ?? ''];
  assert.deepEqual(a.lookup.web, clusterIP, JSON.stringify(a));
  assert.deepEqual(a.lookup['web.default'], clusterIP);
  assert.deepEqual(a.lookup['web.default.svc.cluster.local'], clusterIP);
  assert.deepEqual(a.lookup['web-headless'], podIPs, 'the ready pods on both nodes');
  assert.deepEqual(a.lookup['kube-dns.kube-system'], [KUBE_DNS_IP]);
  // Every search expansion stays under the cluster domain: NXDOMAIN each time, so ENOTFOUND.
  assert.equal(a.lookup['nosuch.default.svc.cluster.local'], 'ERR ENOTFOUND');
  assert.deepEqual(a.direct['web.default.svc.cluster.local'], clusterIP);
  // c-ares reports NXDOMAIN as ENOTFOUND (SERVFAIL would be ESERVFAIL, no answer ETIMEOUT).
  assert.equal(a.direct['nosuch.default.svc.cluster.local'], 'ERR ENOTFOUND');
  assert.equal(a.direct['web.nosuchns.svc.cluster.local'], 'ERR ENOTFOUND');
});

test('a pod on the other node resolves through its own node, over UDP and TCP', async () => {
  const web = await c.client.get<Service>(SERVICES, 'web', { namespace: 'default' });
  const a = await resolveFrom('web-n2', ['web'], []);
  assert.deepEqual(a.lookup.web, [web.spec?.clusterIP ?? '']);
  // One A query over TCP to 10.96.0.10:53 (RFC 7766 framing): answered, NOERROR, one record.
  const tcp = `
import { connect } from 'node:net';
const name = 'web.default.svc.cluster.local';
const q = [Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
for (const l of name.split('.')) q.push(Buffer.from([l.length]), Buffer.from(l));
q.push(Buffer.from([0, 0, 1, 0, 1]));
const msg = Buffer.concat(q);
const s = connect(53, ${JSON.stringify(KUBE_DNS_IP)});
s.setTimeout(5000, () => { console.log('timeout'); s.destroy(); });
s.on('error', (e) => console.log('error ' + e.code));
s.on('connect', () => s.write(Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 255]), msg])));
let buf = Buffer.alloc(0);
s.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
  const a = buf.subarray(2);
  console.log(JSON.stringify({ id: a.readUInt16BE(0), rcode: a[3] & 15, answers: a.readUInt16BE(6) }));
  s.destroy();
});`;
  const out = (await inPod('web-n2', tcp)).trim();
  assert.deepEqual(JSON.parse(out), { id: 0x1234, rcode: 0, answers: 1 });
});

test('with the API server stopped, pods on both nodes still resolve services', async () => {
  const web = await c.client.get<Service>(SERVICES, 'web', { namespace: 'default' });
  const podIPs = ['web-n1', 'web-n2'].map((n) => pods.get(n)?.status?.podIP ?? '').sort();
  await c.server.halt();
  try {
    for (const from of ['web-n1', 'web-n2']) {
      const a = await resolveFrom(from, ['web', 'web-headless'], []);
      assert.deepEqual(a.lookup.web, [web.spec?.clusterIP ?? ''], from);
      assert.deepEqual(a.lookup['web-headless'], podIPs, from);
    }
  } finally {
    await c.server.restart();
  }
});

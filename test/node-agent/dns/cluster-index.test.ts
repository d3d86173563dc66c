/**
 * The cluster zone, pure: which names exist and what each query type
 * gets for ClusterIP, headless, ExternalName and named-port services,
 * NXDOMAIN/NODATA with the SOA, PTR, and updates replacing old records.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Endpoints, Service } from '../../../control-plane/api/types.ts';
import { ClusterIndex } from '../../../node-agent/dns/cluster-index.ts';
import { RCODE, RR_TYPE } from '../../../node-agent/dns/dns-message.ts';

function service(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

function endpoints(ns: string, name: string, subsets: Endpoints['subsets']): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: ns, name }, subsets };
}

const D = 'svc.cluster.local';

function fixture(): ClusterIndex {
  const idx = new ClusterIndex({ now: () => 1000 });
  idx.setService(
    service('default', 'web', {
      clusterIP: '10.96.0.12',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { port: 9000 },
      ],
    }),
  );
  idx.setService(
    service('apps', 'db', {
      clusterIP: 'None',
      ports: [{ name: 'pg', port: 5432 }],
      publishNotReadyAddresses: false,
    }),
  );
  idx.setEndpoints(
    endpoints('apps', 'db', [
      {
        addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.2.7' }],
        notReadyAddresses: [{ ip: '10.244.3.9' }],
        ports: [{ name: 'pg', port: 5433, protocol: 'TCP' }],
      },
    ]),
  );
  idx.setService(
    service('default', 'ext', { type: 'ExternalName', externalName: 'db.example.test' }),
  );
  idx.setService(
    service('default', 'alias', { type: 'ExternalName', externalName: `web.default.${D}` }),
  );
  return idx;
}

/** A compact view of an answer: rcode, answer data as text, SOA present, chase. */
function view(idx: ClusterIndex, name: string, type: number) {
  const a = idx.lookup(name, type);
  if (!a) return 'forward';
  const text = (r: (typeof a.answers)[number]) => {
    const d = r.data;
    switch (d.type) {
      case 'A':
        return `${r.name} A ${d.address}`;
      case 'SRV':
        return `${r.name} SRV ${d.weight} ${d.port} ${d.target}`;
      case 'CNAME':
      case 'PTR':
        return `${r.name} ${d.type} ${d.target}`;
      default:
        return `${r.name} ${d.type}`;
    }
  };
  return {
    rcode: a.rcode,
    answers: a.answers.map(text),
    soa: a.authority.some((r) => r.data.type === 'SOA'),
    additional: a.additional.map(text),
    ...(a.chase ? { chase: a.chase } : {}),
  };
}

const ok = (answers: string[], additional: string[] = []) => ({
  rcode: RCODE.NOERROR,
  answers,
  soa: false,
  additional,
});
const nodata = { rcode: RCODE.NOERROR, answers: [], soa: true, additional: [] };
const nxdomain = { rcode: RCODE.NXDOMAIN, answers: [], soa: true, additional: [] };

describe('lookups', () => {
  const idx = fixture();
  const cases: { q: string; type: number; want: unknown }[] = [
    { q: `web.default.${D}`, type: RR_TYPE.A, want: ok([`web.default.${D} A 10.96.0.12`]) },
    { q: `WEB.Default.${D}.`, type: RR_TYPE.A, want: ok([`web.default.${D} A 10.96.0.12`]) },
    { q: `web.default.${D}`, type: RR_TYPE.AAAA, want: nodata },
    { q: `web.default.${D}`, type: RR_TYPE.TXT, want: nodata },
    {
      q: `_http._tcp.web.default.${D}`,
      type: RR_TYPE.SRV,
      want: ok(
        [`_http._tcp.web.default.${D} SRV 100 80 web.default.${D}`],
        [`web.default.${D} A 10.96.0.12`],
      ),
    },
    {
      q: `_dns._udp.web.default.${D}`,
      type: RR_TYPE.SRV,
      want: ok(
        [`_dns._udp.web.default.${D} SRV 100 53 web.default.${D}`],
        [`web.default.${D} A 10.96.0.12`],
      ),
    },
    { q: `_dns._tcp.web.default.${D}`, type: RR_TYPE.SRV, want: nxdomain },
    { q: `_http._tcp.web.default.${D}`, type: RR_TYPE.A, want: nodata },
    { q: `_http.web.default.${D}`, type: RR_TYPE.SRV, want: nodata },
    {
      q: `web.default.${D}`,
      type: RR_TYPE.SRV,
      want: ok(
        [80, 53, 9000].map((p) => `web.default.${D} SRV 33 ${p} web.default.${D}`),
        [`web.default.${D} A 10.96.0.12`],
      ),
    },
    {
      q: `db.apps.${D}`,
      type: RR_TYPE.A,
      want: ok([`db.apps.${D} A 10.244.1.5`, `db.apps.${D} A 10.244.2.7`]),
    },
    { q: `db-0.db.apps.${D}`, type: RR_TYPE.A, want: ok([`db-0.db.apps.${D} A 10.244.1.5`]) },
    {
      q: `10-244-2-7.db.apps.${D}`,
      type: RR_TYPE.A,
      want: ok([`10-244-2-7.db.apps.${D} A 10.244.2.7`]),
    },
    { q: `10-244-3-9.db.apps.${D}`, type: RR_TYPE.A, want: nxdomain },
    {
      q: `_pg._tcp.db.apps.${D}`,
      type: RR_TYPE.SRV,
      want: ok(
        [
          `_pg._tcp.db.apps.${D} SRV 50 5433 db-0.db.apps.${D}`,
          `_pg._tcp.db.apps.${D} SRV 50 5433 10-244-2-7.db.apps.${D}`,
        ],
        [`db-0.db.apps.${D} A 10.244.1.5`, `10-244-2-7.db.apps.${D} A 10.244.2.7`],
      ),
    },
    {
      q: `ext.default.${D}`,
      type: RR_TYPE.A,
      want: { ...ok([`ext.default.${D} CNAME db.example.test`]), chase: 'db.example.test' },
    },
    {
      q: `ext.default.${D}`,
      type: RR_TYPE.CNAME,
      want: ok([`ext.default.${D} CNAME db.example.test`]),
    },
    {
      q: `alias.default.${D}`,
      type: RR_TYPE.A,
      want: ok([`alias.default.${D} CNAME web.default.${D}`, `web.default.${D} A 10.96.0.12`]),
    },
    { q: `nope.default.${D}`, type: RR_TYPE.A, want: nxdomain },
    { q: `web.nope.${D}`, type: RR_TYPE.A, want: nxdomain },
    { q: `default.${D}`, type: RR_TYPE.A, want: nodata },
    { q: `nope.${D}`, type: RR_TYPE.A, want: nxdomain },
    { q: D, type: RR_TYPE.A, want: nodata },
    { q: 'cluster.local', type: RR_TYPE.A, want: nodata },
    { q: 'x.pod.cluster.local', type: RR_TYPE.A, want: nxdomain },
    { q: `a.b.web.default.${D}`, type: RR_TYPE.A, want: nxdomain },
    {
      q: '12.0.96.10.in-addr.arpa',
      type: RR_TYPE.PTR,
      want: ok([`12.0.96.10.in-addr.arpa PTR web.default.${D}`]),
    },
    {
      q: '5.1.244.10.in-addr.arpa',
      type: RR_TYPE.PTR,
      want: ok([`5.1.244.10.in-addr.arpa PTR db-0.db.apps.${D}`]),
    },
    { q: '1.1.168.192.in-addr.arpa', type: RR_TYPE.PTR, want: 'forward' },
    { q: 'example.test', type: RR_TYPE.A, want: 'forward' },
    { q: 'cluster.local.example.test', type: RR_TYPE.A, want: 'forward' },
  ];
  for (const tc of cases) {
    test(`${tc.q} type ${tc.type}`, () => assert.deepEqual(view(idx, tc.q, tc.type), tc.want));
  }

  test('the apex answers its SOA', () => {
    const a = idx.lookup('cluster.local', RR_TYPE.SOA);
    assert.equal(a?.answers[0]?.data.type, 'SOA');
    assert.equal(a?.answers[0]?.ttl, 5);
  });
});

describe('changes', () => {
  test('an update replaces the records, a delete removes the names and the namespace', () => {
    const idx = fixture();
    idx.setService(service('default', 'web', { clusterIP: '10.96.0.99', ports: [{ port: 80 }] }));
    assert.deepEqual(
      view(idx, `web.default.${D}`, RR_TYPE.A),
      ok([`web.default.${D} A 10.96.0.99`]),
    );
    assert.deepEqual(view(idx, `_http._tcp.web.default.${D}`, RR_TYPE.SRV), nxdomain);
    assert.equal(view(idx, '12.0.96.10.in-addr.arpa', RR_TYPE.PTR), 'forward');
    idx.deleteService(service('apps', 'db', {}));
    assert.deepEqual(view(idx, `db.apps.${D}`, RR_TYPE.A), nxdomain);
    assert.deepEqual(view(idx, `apps.${D}`, RR_TYPE.A), nxdomain);
  });

  test('endpoints changes move a headless service, publishNotReadyAddresses adds not-ready ones', () => {
    const idx = fixture();
    idx.setEndpoints(endpoints('apps', 'db', [{ addresses: [{ ip: '10.244.9.9' }] }]));
    assert.deepEqual(view(idx, `db.apps.${D}`, RR_TYPE.A), ok([`db.apps.${D} A 10.244.9.9`]));
    idx.deleteEndpoints(endpoints('apps', 'db', []));
    assert.deepEqual(view(idx, `db.apps.${D}`, RR_TYPE.A), nodata);
    idx.setService(service('apps', 'db', { clusterIP: 'None', publishNotReadyAddresses: true }));
    idx.setEndpoints(
      endpoints('apps', 'db', [
        { addresses: [{ ip: '10.244.1.1' }], notReadyAddresses: [{ ip: '10.244.1.2' }] },
      ]),
    );
    assert.deepEqual(
      view(idx, `db.apps.${D}`, RR_TYPE.A),
      ok([`db.apps.${D} A 10.244.1.1`, `db.apps.${D} A 10.244.1.2`]),
    );
  });

  test('the SOA serial moves forward with every change', () => {
    const idx = fixture();
    const serial = () => {
      const d = idx.soa().data;
      return d.type === 'SOA' ? d.serial : -1;
    };
    const before = serial();
    idx.setService(service('x', 'y', { clusterIP: '10.96.5.5' }));
    assert.ok(serial() > before);
  });

  test('another cluster domain', () => {
    const idx = new ClusterIndex({ clusterDomain: 'corp.internal.', ttl: 30 });
    idx.setService(service('default', 'web', { clusterIP: '10.96.0.12' }));
    const a = idx.lookup('web.default.svc.corp.internal', RR_TYPE.A);
    assert.deepEqual(
      a?.answers.map((r) => [r.ttl, r.data]),
      [[30, { type: 'A', address: '10.96.0.12' }]],
    );
    assert.equal(idx.lookup('web.default.svc.cluster.local', RR_TYPE.A), undefined);
  });
});

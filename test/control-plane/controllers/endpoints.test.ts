/**
 * The Endpoints computation, pure: which pods count, ready versus not
 * ready, named target ports resolved per pod, subsets regrouped as
 * Kubernetes' RepackSubsets does, labels, and the write-only-on-change test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  EndpointSubset,
  Endpoints,
  Pod,
  Service,
  ServicePort,
} from '../../../control-plane/api/types.ts';
import {
  HEADLESS_LABEL,
  endpointsDiffer,
  endpointsLabels,
  podChangeMatters,
} from '../../../control-plane/controllers/endpoints/object.ts';
import {
  desiredSubsets,
  findPort,
  shouldPodBeInEndpoints,
} from '../../../control-plane/controllers/endpoints/subsets.ts';

interface PodOpts {
  ip?: string;
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  node?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      labels: { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: o.node ?? 'node-1',
      containers: [{ name: 'c', image: 'i', ports: o.ports ?? [] }],
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.244.0.1' }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  } as Pod;
}

function service(
  ports: ServicePort[] | undefined,
  extra: Partial<NonNullable<Service['spec']>> = {},
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ns', labels: { team: 'a' } },
    spec: { selector: { app: 'web' }, ports, ...extra },
  };
}

const addr = (name: string, ip: string, node = 'node-1') => ({
  ip,
  nodeName: node,
  targetRef: { kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}` },
});

describe('shouldPodBeInEndpoints', () => {
  const cases = [
    { name: 'running with an IP', pod: pod('a'), tolerate: false, want: true },
    { name: 'no IP yet', pod: pod('a', { ip: '' }), tolerate: false, want: false },
    { name: 'succeeded', pod: pod('a', { phase: 'Succeeded' }), tolerate: true, want: false },
    { name: 'failed', pod: pod('a', { phase: 'Failed' }), tolerate: true, want: false },
    { name: 'terminating', pod: pod('a', { deleting: true }), tolerate: false, want: false },
    {
      name: 'terminating, publishNotReadyAddresses',
      pod: pod('a', { deleting: true }),
      tolerate: true,
      want: true,
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(shouldPodBeInEndpoints(c.pod, c.tolerate), c.want));
  }
});

describe('findPort', () => {
  const p = pod('a', {
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'dns', containerPort: 5353, protocol: 'UDP' },
    ],
  });
  const cases = [
    { name: 'number targetPort', sp: { port: 80, targetPort: 9000 }, want: 9000 },
    { name: 'no targetPort: the service port', sp: { port: 80 }, want: 80 },
    { name: 'named, found', sp: { port: 80, targetPort: 'http' }, want: 8080 },
    {
      name: 'named, other protocol',
      sp: { port: 53, targetPort: 'dns', protocol: 'TCP' },
      want: undefined,
    },
    { name: 'named UDP', sp: { port: 53, targetPort: 'dns', protocol: 'UDP' }, want: 5353 },
    { name: 'named, missing', sp: { port: 80, targetPort: 'metrics' }, want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.equal(findPort(p, c.sp), c.want));
});

describe('desiredSubsets', () => {
  test('ready pods under addresses, others under notReadyAddresses, sorted by IP', () => {
    const got = desiredSubsets(
      service([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]),
      [
        pod('b', { ip: '10.244.0.9' }),
        pod('a', { ip: '10.244.0.2' }),
        pod('c', { ip: '10.244.0.5', ready: false }),
        pod('d', { ip: '' }),
        pod('e', { ip: '10.244.0.7', deleting: true }),
      ],
    );
    const want: EndpointSubset[] = [
      {
        addresses: [addr('a', '10.244.0.2'), addr('b', '10.244.0.9')],
        notReadyAddresses: [addr('c', '10.244.0.5')],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ];
    assert.deepEqual(got, want);
  });

  test('publishNotReadyAddresses: every pod, terminating ones too, is an address', () => {
    const svc = service([{ port: 80, targetPort: 80, protocol: 'TCP' }], {
      publishNotReadyAddresses: true,
    });
    const got = desiredSubsets(svc, [
      pod('a', { ready: false }),
      pod('b', { ip: '10.244.0.3', deleting: true }),
    ]);
    assert.deepEqual(got, [
      {
        addresses: [addr('a', '10.244.0.1'), addr('b', '10.244.0.3')],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
  });

  test('named target ports per pod; pods without the port are left out of it (RepackSubsets)', () => {
    const svc = service([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    const got = desiredSubsets(svc, [
      pod('a', {
        ip: '10.244.0.1',
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'metrics', containerPort: 9100 },
        ],
      }),
      pod('b', { ip: '10.244.0.2', ports: [{ name: 'http', containerPort: 8081 }] }),
      pod('c', { ip: '10.244.0.3', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('d', { ip: '10.244.0.4', ports: [{ name: 'other', containerPort: 1 }] }),
    ]);
    // Port → addresses: http:8080 {a,c}, http:8081 {b}, metrics:9100 {a}; each set is one subset,
    // ordered by first address, then ports.
    assert.deepEqual(got, [
      {
        addresses: [addr('a', '10.244.0.1'), addr('c', '10.244.0.3')],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
      {
        addresses: [addr('a', '10.244.0.1')],
        ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }],
      },
      {
        addresses: [addr('b', '10.244.0.2')],
        ports: [{ name: 'http', port: 8081, protocol: 'TCP' }],
      },
    ]);
  });

  test('ports served by the same addresses share one subset', () => {
    const svc = service([
      { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
    ]);
    const got = desiredSubsets(svc, [
      pod('a', { ip: '10.244.0.1' }),
      pod('b', { ip: '10.244.0.2' }),
    ]);
    assert.deepEqual(got, [
      {
        addresses: [addr('a', '10.244.0.1'), addr('b', '10.244.0.2')],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'https', port: 8443, protocol: 'TCP' },
        ],
      },
    ]);
  });

  test('a headless service without ports gets port-less subsets; hostname when the subdomain matches', () => {
    const svc = service(undefined, { clusterIP: 'None' });
    const got = desiredSubsets(svc, [
      pod('a', { hostname: 'a-0', subdomain: 'web' }),
      pod('b', { ip: '10.244.0.2', hostname: 'b-0', subdomain: 'other' }),
    ]);
    assert.deepEqual(got, [
      { addresses: [{ ...addr('a', '10.244.0.1'), hostname: 'a-0' }, addr('b', '10.244.0.2')] },
    ]);
  });

  test('no matching pods: no subsets', () => {
    assert.deepEqual(desiredSubsets(service([{ port: 80, protocol: 'TCP' }]), []), []);
  });
});

describe('the Endpoints object', () => {
  test('labels are the service labels, plus the headless label for clusterIP None', () => {
    assert.deepEqual(endpointsLabels(service([])), { team: 'a' });
    assert.deepEqual(endpointsLabels(service([], { clusterIP: 'None' })), {
      team: 'a',
      [HEADLESS_LABEL]: '',
    });
  });

  const subsets: EndpointSubset[] = [
    { addresses: [addr('a', '10.244.0.1')], ports: [{ port: 80, protocol: 'TCP' }] },
  ];
  const stored = (s: EndpointSubset[] | undefined, labels?: Record<string, string>): Endpoints => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'ns', ...(labels ? { labels } : {}) },
    ...(s ? { subsets: s } : {}),
  });
  const cases = [
    { name: 'same subsets and labels', ep: stored(subsets, { team: 'a' }), differ: false },
    {
      name: 'same, keys in another order',
      ep: stored([{ ports: [{ protocol: 'TCP', port: 80 }], addresses: subsets[0]?.addresses }], {
        team: 'a',
      }),
      differ: false,
    },
    { name: 'other labels', ep: stored(subsets, { team: 'b' }), differ: true },
    { name: 'no subsets stored', ep: stored(undefined, { team: 'a' }), differ: true },
  ];
  for (const c of cases) {
    test(`endpointsDiffer: ${c.name}`, () =>
      assert.equal(endpointsDiffer(c.ep, { team: 'a' }, subsets), c.differ));
  }
  test('empty stored subsets equal no desired subsets', () => {
    assert.equal(endpointsDiffer(stored([], { team: 'a' }), { team: 'a' }, []), false);
    assert.equal(endpointsDiffer(stored(undefined, { team: 'a' }), { team: 'a' }, []), false);
  });

  test('podChangeMatters: readiness and IP matter, a restart count does not', () => {
    const a = pod('a');
    assert.equal(podChangeMatters(a, pod('a', { ready: false })), true);
    assert.equal(podChangeMatters(a, pod('a', { ip: '10.244.0.8' })), true);
    const restarted = structuredClone(a);
    restarted.status = {
      ...restarted.status,
      containerStatuses: [{ name: 'c', ready: true, restartCount: 3, image: 'i', imageID: '' }],
    } as Pod['status'];
    assert.equal(podChangeMatters(a, restarted), false);
  });
});

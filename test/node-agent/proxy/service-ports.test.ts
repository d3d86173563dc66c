import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints, Service } from '../../../control-plane/api/types.ts';
import { buildServicePorts } from '../../../node-agent/proxy/service-ports.ts';

function svc(name: string, spec: Service['spec'], ns = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

function eps(name: string, subsets: Endpoints['subsets'], ns = 'default'): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns }, subsets };
}

test('ready addresses only, sorted by address, deduplicated across subsets', () => {
  const ports = buildServicePorts(
    [svc('web', { clusterIP: '10.96.0.20', ports: [{ port: 80, targetPort: 8080 }] })],
    [
      eps('web', [
        {
          addresses: [{ ip: '10.244.2.9' }, { ip: '10.244.1.10' }],
          notReadyAddresses: [{ ip: '10.244.3.3' }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
        { addresses: [{ ip: '10.244.1.10' }, { ip: '10.244.1.9' }], ports: [{ port: 8080 }] },
      ]),
    ],
  );
  assert.deepEqual(ports, [
    {
      name: 'default/web',
      protocol: 'TCP',
      clusterIP: '10.96.0.20',
      port: 80,
      endpoints: [
        { ip: '10.244.1.9', port: 8080 },
        { ip: '10.244.1.10', port: 8080 },
        { ip: '10.244.2.9', port: 8080 },
      ],
    },
  ]);
});

test('named ports: each service port takes the endpoint port of its name and protocol', () => {
  const ports = buildServicePorts(
    [
      svc(
        'dns',
        {
          clusterIP: '10.96.0.10',
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
            { name: 'metrics', port: 9153, targetPort: 'metrics' },
          ],
        },
        'kube-system',
      ),
    ],
    [
      eps(
        'dns',
        [
          {
            addresses: [{ ip: '10.244.0.5' }],
            ports: [
              { name: 'dns', port: 5353, protocol: 'UDP' },
              { name: 'dns-tcp', port: 5354, protocol: 'TCP' },
              // Same name, other protocol: must not be taken for the TCP port "dns".
              { name: 'metrics', port: 9153, protocol: 'UDP' },
            ],
          },
        ],
        'kube-system',
      ),
    ],
  );
  const summary = ports.map((p) => [p.name, p.protocol, p.port, p.endpoints.map((e) => e.port)]);
  assert.deepEqual(summary, [
    ['kube-system/dns:dns', 'UDP', 53, [5353]],
    ['kube-system/dns:dns-tcp', 'TCP', 53, [5354]],
    ['kube-system/dns:metrics', 'TCP', 9153, []],
  ]);
});

test('NodePort and affinity: nodePort only for NodePort/LoadBalancer, ClientIP timeout default 10800', () => {
  const ports = buildServicePorts(
    [
      svc('a', {
        type: 'NodePort',
        clusterIP: '10.96.0.1',
        ports: [{ port: 80, nodePort: 30080 }],
      }),
      svc('b', {
        clusterIP: '10.96.0.2',
        ports: [{ port: 80, nodePort: 30081 }],
        sessionAffinity: 'ClientIP',
      }),
      svc('c', {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.3',
        ports: [{ port: 80, nodePort: 30082 }],
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      }),
    ],
    [],
  );
  const summary = ports.map((p) => [p.name, p.nodePort, p.affinitySeconds]);
  assert.deepEqual(summary, [
    ['default/a', 30080, undefined],
    ['default/b', undefined, 10800],
    ['default/c', 30082, 60],
  ]);
});

test('left out: headless, ExternalName, no ClusterIP, SCTP, malformed addresses and ports', () => {
  const ports = buildServicePorts(
    [
      svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'example.invalid', ports: [{ port: 80 }] }),
      svc('pending', { ports: [{ port: 80 }] }),
      svc('sctp', { clusterIP: '10.96.0.5', ports: [{ port: 80, protocol: 'SCTP' }] }),
      svc('ok', { clusterIP: '10.96.0.6', ports: [{ port: 80 }, { port: 70000 }] }),
    ],
    [
      eps('ok', [
        {
          addresses: [{ ip: '10.244.1.1"; -j ACCEPT' }, { ip: '10.244.1.2' }],
          ports: [{ port: 80 }],
        },
      ]),
    ],
  );
  assert.deepEqual(
    ports.map((p) => [p.name, p.port, p.endpoints.map((e) => e.ip)]),
    [['default/ok', 80, ['10.244.1.2']]],
  );
});

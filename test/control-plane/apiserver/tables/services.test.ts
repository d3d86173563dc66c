// Tables of services and endpoints as `kubectl get` shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { obj, render, res, type TableCase } from './fixtures.ts';

const cases: TableCase[] = [
  {
    name: 'service ClusterIP',
    r: res('', 'services'),
    obj: obj('v1', 'Service', {
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.20',
        clusterIPs: ['10.96.0.20'],
        selector: { app: 'web' },
        ports: [
          { port: 80, protocol: 'TCP', targetPort: 8080 },
          { port: 53, protocol: 'UDP' },
        ],
      },
    }),
    headers: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['x', 'ClusterIP', '10.96.0.20', '<none>', '80/TCP,53/UDP', '120m', 'app=web'],
  },
  {
    name: 'service NodePort with external IPs',
    r: res('', 'services'),
    obj: obj('v1', 'Service', {
      spec: {
        type: 'NodePort',
        clusterIPs: ['10.96.0.21'],
        externalIPs: ['192.0.2.10'],
        ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
      },
    }),
    headers: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['x', 'NodePort', '10.96.0.21', '192.0.2.10', '80:30080/TCP', '120m', '<none>'],
  },
  {
    name: 'service LoadBalancer pending',
    r: res('', 'services'),
    obj: obj('v1', 'Service', {
      spec: {
        type: 'LoadBalancer',
        clusterIPs: ['10.96.0.22'],
        ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }],
      },
    }),
    headers: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['x', 'LoadBalancer', '10.96.0.22', '<pending>', '443:31443/TCP', '120m', '<none>'],
  },
  {
    name: 'service LoadBalancer with ingress',
    r: res('', 'services'),
    obj: obj('v1', 'Service', {
      spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.22'], ports: [] },
      status: {
        loadBalancer: { ingress: [{ ip: '198.51.100.7' }, { hostname: 'lb.example.com' }] },
      },
    }),
    headers: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: [
      'x',
      'LoadBalancer',
      '10.96.0.22',
      '198.51.100.7,lb.example.com',
      '<none>',
      '120m',
      '<none>',
    ],
  },
  {
    name: 'headless service',
    r: res('', 'services'),
    obj: obj('v1', 'Service', {
      spec: {
        type: 'ClusterIP',
        clusterIP: 'None',
        clusterIPs: ['None'],
        ports: [{ port: 5432, protocol: 'TCP' }],
      },
    }),
    headers: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['x', 'ClusterIP', 'None', '<none>', '5432/TCP', '120m', '<none>'],
  },
  {
    name: 'service ExternalName',
    r: res('', 'services'),
    obj: obj('v1', 'Service', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }),
    headers: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['x', 'ExternalName', '<none>', 'db.example.com', '<none>', '120m', '<none>'],
  },
  {
    name: 'endpoints with more than three',
    r: res('', 'endpoints'),
    obj: obj('v1', 'Endpoints', {
      subsets: [
        {
          addresses: [{ ip: '10.244.1.2' }, { ip: '10.244.1.3' }],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
        {
          addresses: [{ ip: '10.244.2.2' }, { ip: 'fd00::5' }],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      ],
    }),
    headers: ['Name', 'Endpoints', 'Age'],
    cells: ['x', '10.244.1.2:80,10.244.1.3:80,10.244.2.2:80 + 1 more...', '120m'],
  },
  {
    name: 'endpoints of a headless service without ports',
    r: res('', 'endpoints'),
    obj: obj('v1', 'Endpoints', { subsets: [{ addresses: [{ ip: '10.244.1.2' }] }] }),
    headers: ['Name', 'Endpoints', 'Age'],
    cells: ['x', '10.244.1.2', '120m'],
  },
  {
    name: 'endpoints without subsets',
    r: res('', 'endpoints'),
    obj: obj('v1', 'Endpoints', {}),
    headers: ['Name', 'Endpoints', 'Age'],
    cells: ['x', '<none>', '120m'],
  },
  {
    name: 'serviceaccount',
    r: res('', 'serviceaccounts'),
    obj: obj('v1', 'ServiceAccount', {}),
    headers: ['Name', 'Secrets', 'Age'],
    cells: ['x', 0, '120m'],
  },
];

for (const c of cases) {
  test(`table: ${c.name}`, () => {
    assert.deepEqual(render(c), { headers: c.headers, cells: c.cells });
  });
}

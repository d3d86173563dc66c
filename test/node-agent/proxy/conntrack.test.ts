import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecConntrack, staleUdpFlows } from '../../../node-agent/proxy/conntrack.ts';
import type { ExecResult } from '../../../node-agent/proxy/exec-command.ts';
import type { ServicePortInfo } from '../../../node-agent/proxy/service-ports.ts';

function sp(
  name: string,
  protocol: 'TCP' | 'UDP',
  ips: string[],
  nodePort?: number,
): ServicePortInfo {
  return {
    name: `default/${name}`,
    protocol,
    clusterIP: '10.96.0.10',
    port: 53,
    nodePort,
    endpoints: ips.map((ip) => ({ ip, port: 53 })),
  };
}

const cases = [
  {
    name: 'an endpoint removed from a UDP service',
    before: [sp('dns', 'UDP', ['10.244.1.1', '10.244.1.2'])],
    after: [sp('dns', 'UDP', ['10.244.1.1'])],
    want: [{ origDst: '10.96.0.10', dstNat: '10.244.1.2' }],
  },
  {
    name: 'with a NodePort',
    before: [sp('dns', 'UDP', ['10.244.1.2'], 30053)],
    after: [sp('dns', 'UDP', ['10.244.1.3'], 30053)],
    want: [
      { origDst: '10.96.0.10', dstNat: '10.244.1.2' },
      { dport: 30053, dstNat: '10.244.1.2' },
    ],
  },
  {
    name: 'a UDP service going from no endpoints to some',
    before: [sp('dns', 'UDP', [])],
    after: [sp('dns', 'UDP', ['10.244.1.1'])],
    want: [{ origDst: '10.96.0.10' }],
  },
  {
    name: 'a UDP service deleted',
    before: [sp('dns', 'UDP', ['10.244.1.1'])],
    after: [],
    want: [{ origDst: '10.96.0.10', dstNat: '10.244.1.1' }],
  },
  {
    name: 'TCP changes and unchanged UDP services',
    before: [sp('web', 'TCP', ['10.244.1.1']), sp('dns', 'UDP', ['10.244.1.5'])],
    after: [sp('web', 'TCP', []), sp('dns', 'UDP', ['10.244.1.5'])],
    want: [],
  },
];

for (const c of cases) {
  test(`staleUdpFlows: ${c.name}`, () => {
    assert.deepEqual(staleUdpFlows(c.before, c.after), c.want);
  });
}

test('ExecConntrack: arguments, "0 flow entries" is not an error, a failure is', async () => {
  const calls: string[][] = [];
  const answers: ExecResult[] = [
    {
      code: 0,
      stdout: '',
      stderr: 'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.\n',
    },
    {
      code: 1,
      stdout: '',
      stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n',
    },
    { code: 1, stdout: '', stderr: 'conntrack v1.4.7: Operation not permitted\n' },
  ];
  const ct = new ExecConntrack({
    exec: (argv) => {
      calls.push([...argv]);
      return Promise.resolve(answers[calls.length - 1] as ExecResult);
    },
  });
  assert.equal(await ct.deleteUdp({ origDst: '10.96.0.10', dstNat: '10.244.1.2' }), 2);
  assert.equal(await ct.deleteUdp({ dport: 30053 }), 0);
  await assert.rejects(ct.deleteUdp({ origDst: '10.96.0.10' }), /Operation not permitted/);
  assert.deepEqual(calls[0], [
    'conntrack',
    '-D',
    '-p',
    'udp',
    '--orig-dst',
    '10.96.0.10',
    '--dst-nat',
    '10.244.1.2',
  ]);
  assert.deepEqual(calls[1], ['conntrack', '-D', '-p', 'udp', '--orig-port-dst', '30053']);
});

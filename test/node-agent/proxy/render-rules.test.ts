/**
 * Golden tests of the renderer. The expected rules are written by hand
 * from kube-proxy's iptables mode (proxier.go); only the hashed chain names
 * come from chain-names.ts, whose hash is checked against kube-proxy's own
 * values in chain-names.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  endpointChain,
  externalChain,
  serviceChain,
} from '../../../node-agent/proxy/chain-names.ts';
import { renderRules, type RenderOptions } from '../../../node-agent/proxy/render-rules.ts';
import { toRestorePayload, type Ruleset } from '../../../node-agent/proxy/ruleset.ts';
import type { ServicePortInfo } from '../../../node-agent/proxy/service-ports.ts';

const OPTS: RenderOptions = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/16' };
const REJECT = '-j REJECT --reject-with icmp-port-unreachable';
// TCP gets a reset: the kernel rate-limits ICMP errors to forwarded clients (1/s after 6).
const REJECT_TCP = '-j REJECT --reject-with tcp-reset';

/** The whole payload for the given per-case lines (top-level rules are the same in every case). */
function golden(c: {
  filterServices?: string[];
  filterExternal?: string[];
  natChains?: string[];
  natServices?: string[];
  natNodePorts?: string[];
  natRules?: string[];
}): string {
  return [
    '*filter',
    ':SKIFF-SERVICES - [0:0]',
    ':SKIFF-EXTERNAL-SERVICES - [0:0]',
    ':SKIFF-FORWARD - [0:0]',
    ':SKIFF-PROXY-CANARY - [0:0]',
    ...(c.filterServices ?? []),
    `-A SKIFF-SERVICES -m comment --comment "skiff service range without a service" -d 10.96.0.0/16 -p tcp ${REJECT_TCP}`,
    `-A SKIFF-SERVICES -m comment --comment "skiff service range without a service" -d 10.96.0.0/16 ${REJECT}`,
    ...(c.filterExternal ?? []),
    '-A SKIFF-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A SKIFF-FORWARD -m comment --comment "skiff forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A SKIFF-FORWARD -m comment --comment "skiff forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    'COMMIT',
    '*nat',
    ':SKIFF-SERVICES - [0:0]',
    ':SKIFF-NODEPORTS - [0:0]',
    ':SKIFF-MARK-MASQ - [0:0]',
    ':SKIFF-POSTROUTING - [0:0]',
    ':SKIFF-PROXY-CANARY - [0:0]',
    ...(c.natChains ?? []).map((ch) => `:${ch} - [0:0]`),
    ...(c.natServices ?? []),
    '-A SKIFF-SERVICES -m comment --comment "skiff service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j SKIFF-NODEPORTS',
    ...(c.natNodePorts ?? []),
    '-A SKIFF-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A SKIFF-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A SKIFF-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A SKIFF-POSTROUTING -m comment --comment "skiff service traffic requiring SNAT" -j MASQUERADE',
    ...(c.natRules ?? []),
    'COMMIT',
    '',
  ].join('\n');
}

function port(p: Partial<ServicePortInfo> & { name: string }): ServicePortInfo {
  return { protocol: 'TCP', clusterIP: '10.96.0.20', port: 80, endpoints: [], ...p };
}

const web = 'default/web';
const webSvc = serviceChain(web, 'TCP');
const a = endpointChain(web, 'TCP', '10.244.1.5:8080');
const b = endpointChain(web, 'TCP', '10.244.2.6:8080');
const c3 = endpointChain(web, 'TCP', '10.244.3.7:8080');
const dns = 'kube-system/dns:dns';
const dnsSvc = serviceChain(dns, 'UDP');
const dnsSep = endpointChain(dns, 'UDP', '10.244.1.9:5353');
const np = 'default/np:http';
const npSvc = serviceChain(np, 'TCP');
const npExt = externalChain(np, 'TCP');
const npSep = endpointChain(np, 'TCP', '10.244.1.5:8080');
const multiHttp = serviceChain('default/multi:http', 'TCP');
const multiHttps = serviceChain('default/multi:https', 'TCP');
const mh = endpointChain('default/multi:http', 'TCP', '10.244.1.5:8080');
const ms = endpointChain('default/multi:https', 'TCP', '10.244.1.5:8443');

const cases: {
  name: string;
  ports: ServicePortInfo[];
  opts?: Partial<RenderOptions>;
  want: string;
}[] = [
  {
    name: 'no services: only the top-level chains and the service-range REJECT',
    ports: [],
    want: golden({}),
  },
  {
    name: 'one ClusterIP service, two endpoints: 1/2 then the rest',
    ports: [
      port({
        name: web,
        endpoints: [
          { ip: '10.244.1.5', port: 8080 },
          { ip: '10.244.2.6', port: 8080 },
        ],
      }),
    ],
    want: golden({
      natChains: [webSvc, a, b],
      natServices: [
        `-A SKIFF-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 -j ${webSvc}`,
      ],
      natRules: [
        `-A ${webSvc} -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.1.5:8080" -m statistic --mode random --probability 0.5000000000 -j ${a}`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.2.6:8080" -j ${b}`,
        `-A ${a} -m comment --comment default/web -s 10.244.1.5 -j SKIFF-MARK-MASQ`,
        `-A ${a} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
        `-A ${b} -m comment --comment default/web -s 10.244.2.6 -j SKIFF-MARK-MASQ`,
        `-A ${b} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.2.6:8080`,
      ],
    }),
  },
  {
    name: 'three endpoints: 1/3, 1/2, rest',
    ports: [
      port({
        name: web,
        endpoints: [
          { ip: '10.244.1.5', port: 8080 },
          { ip: '10.244.2.6', port: 8080 },
          { ip: '10.244.3.7', port: 8080 },
        ],
      }),
    ],
    want: golden({
      natChains: [webSvc, a, b, c3],
      natServices: [
        `-A SKIFF-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 -j ${webSvc}`,
      ],
      natRules: [
        `-A ${webSvc} -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.1.5:8080" -m statistic --mode random --probability 0.3333333333 -j ${a}`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.2.6:8080" -m statistic --mode random --probability 0.5000000000 -j ${b}`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.3.7:8080" -j ${c3}`,
        `-A ${a} -m comment --comment default/web -s 10.244.1.5 -j SKIFF-MARK-MASQ`,
        `-A ${a} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
        `-A ${b} -m comment --comment default/web -s 10.244.2.6 -j SKIFF-MARK-MASQ`,
        `-A ${b} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.2.6:8080`,
        `-A ${c3} -m comment --comment default/web -s 10.244.3.7 -j SKIFF-MARK-MASQ`,
        `-A ${c3} -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.3.7:8080`,
      ],
    }),
  },
  {
    name: 'no ready endpoints: filter REJECT for the ClusterIP and the NodePort, no nat chains',
    ports: [port({ name: web, nodePort: 30080 })],
    want: golden({
      filterServices: [
        `-A SKIFF-SERVICES -m comment --comment "default/web has no endpoints" -m tcp -p tcp -d 10.96.0.20 --dport 80 ${REJECT_TCP}`,
      ],
      filterExternal: [
        `-A SKIFF-EXTERNAL-SERVICES -m comment --comment "default/web has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 ${REJECT_TCP}`,
      ],
    }),
  },
  {
    name: 'UDP without ready endpoints: ICMP port unreachable for the ClusterIP and the NodePort',
    ports: [port({ name: 'kube-system/dns', protocol: 'UDP', port: 53, nodePort: 30053 })],
    want: golden({
      filterServices: [
        `-A SKIFF-SERVICES -m comment --comment "kube-system/dns has no endpoints" -m udp -p udp -d 10.96.0.20 --dport 53 ${REJECT}`,
      ],
      filterExternal: [
        `-A SKIFF-EXTERNAL-SERVICES -m comment --comment "kube-system/dns has no endpoints" -m addrtype --dst-type LOCAL -m udp -p udp --dport 30053 ${REJECT}`,
      ],
    }),
  },
  {
    name: 'UDP, named target port resolved to 5353',
    ports: [
      port({
        name: dns,
        protocol: 'UDP',
        clusterIP: '10.96.0.10',
        port: 53,
        endpoints: [{ ip: '10.244.1.9', port: 5353 }],
      }),
    ],
    want: golden({
      natChains: [dnsSvc, dnsSep],
      natServices: [
        `-A SKIFF-SERVICES -m comment --comment "kube-system/dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j ${dnsSvc}`,
      ],
      natRules: [
        `-A ${dnsSvc} -m comment --comment "kube-system/dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${dnsSvc} -m comment --comment "kube-system/dns:dns -> 10.244.1.9:5353" -j ${dnsSep}`,
        `-A ${dnsSep} -m comment --comment kube-system/dns:dns -s 10.244.1.9 -j SKIFF-MARK-MASQ`,
        `-A ${dnsSep} -m comment --comment kube-system/dns:dns -m udp -p udp -j DNAT --to-destination 10.244.1.9:5353`,
      ],
    }),
  },
  {
    name: 'NodePort: NODEPORTS → EXT (mark, then SVC)',
    ports: [
      port({
        name: np,
        clusterIP: '10.96.0.30',
        nodePort: 30080,
        endpoints: [{ ip: '10.244.1.5', port: 8080 }],
      }),
    ],
    want: golden({
      natChains: [npSvc, npExt, npSep],
      natServices: [
        `-A SKIFF-SERVICES -m comment --comment "default/np:http cluster IP" -m tcp -p tcp -d 10.96.0.30 --dport 80 -j ${npSvc}`,
      ],
      natNodePorts: [
        `-A SKIFF-NODEPORTS -m comment --comment default/np:http -m tcp -p tcp --dport 30080 -j ${npExt}`,
      ],
      natRules: [
        `-A ${npSvc} -m comment --comment "default/np:http cluster IP" -m tcp -p tcp -d 10.96.0.30 --dport 80 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${npSvc} -m comment --comment "default/np:http -> 10.244.1.5:8080" -j ${npSep}`,
        `-A ${npExt} -m comment --comment "masquerade traffic for default/np:http external destinations" -j SKIFF-MARK-MASQ`,
        `-A ${npExt} -j ${npSvc}`,
        `-A ${npSep} -m comment --comment default/np:http -s 10.244.1.5 -j SKIFF-MARK-MASQ`,
        `-A ${npSep} -m comment --comment default/np:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
      ],
    }),
  },
  {
    name: 'ClientIP affinity: recent --rcheck first, recent --set in the SEP',
    ports: [
      port({
        name: web,
        affinitySeconds: 60,
        endpoints: [
          { ip: '10.244.1.5', port: 8080 },
          { ip: '10.244.2.6', port: 8080 },
        ],
      }),
    ],
    want: golden({
      natChains: [webSvc, a, b],
      natServices: [
        `-A SKIFF-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 -j ${webSvc}`,
      ],
      natRules: [
        `-A ${webSvc} -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.1.5:8080" -m recent --name ${a} --rcheck --seconds 60 --reap -j ${a}`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.2.6:8080" -m recent --name ${b} --rcheck --seconds 60 --reap -j ${b}`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.1.5:8080" -m statistic --mode random --probability 0.5000000000 -j ${a}`,
        `-A ${webSvc} -m comment --comment "default/web -> 10.244.2.6:8080" -j ${b}`,
        `-A ${a} -m comment --comment default/web -s 10.244.1.5 -j SKIFF-MARK-MASQ`,
        `-A ${a} -m comment --comment default/web -m recent --name ${a} --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
        `-A ${b} -m comment --comment default/web -s 10.244.2.6 -j SKIFF-MARK-MASQ`,
        `-A ${b} -m comment --comment default/web -m recent --name ${b} --set -m tcp -p tcp -j DNAT --to-destination 10.244.2.6:8080`,
      ],
    }),
  },
  {
    name: 'multi-port service: one SVC chain per port, one ready, one without endpoints',
    ports: [
      port({ name: 'default/multi:http', endpoints: [{ ip: '10.244.1.5', port: 8080 }] }),
      port({
        name: 'default/multi:https',
        port: 443,
        endpoints: [{ ip: '10.244.1.5', port: 8443 }],
      }),
      port({ name: 'default/multi:metrics', port: 9090 }),
    ],
    want: golden({
      filterServices: [
        `-A SKIFF-SERVICES -m comment --comment "default/multi:metrics has no endpoints" -m tcp -p tcp -d 10.96.0.20 --dport 9090 ${REJECT_TCP}`,
      ],
      natChains: [multiHttp, mh, multiHttps, ms],
      natServices: [
        `-A SKIFF-SERVICES -m comment --comment "default/multi:http cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 -j ${multiHttp}`,
        `-A SKIFF-SERVICES -m comment --comment "default/multi:https cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 443 -j ${multiHttps}`,
      ],
      natRules: [
        `-A ${multiHttp} -m comment --comment "default/multi:http cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 80 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${multiHttp} -m comment --comment "default/multi:http -> 10.244.1.5:8080" -j ${mh}`,
        `-A ${mh} -m comment --comment default/multi:http -s 10.244.1.5 -j SKIFF-MARK-MASQ`,
        `-A ${mh} -m comment --comment default/multi:http -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080`,
        `-A ${multiHttps} -m comment --comment "default/multi:https cluster IP" -m tcp -p tcp -d 10.96.0.20 --dport 443 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${multiHttps} -m comment --comment "default/multi:https -> 10.244.1.5:8443" -j ${ms}`,
        `-A ${ms} -m comment --comment default/multi:https -s 10.244.1.5 -j SKIFF-MARK-MASQ`,
        `-A ${ms} -m comment --comment default/multi:https -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8443`,
      ],
    }),
  },
];

for (const tc of cases) {
  test(`renderRules: ${tc.name}`, () => {
    const rules = renderRules(tc.ports, { ...OPTS, ...tc.opts });
    assert.equal(toRestorePayload(rules), tc.want);
    assertTargetsExist(rules);
  });
}

test('renderRules options: random-fully, no INVALID drop, another mark', () => {
  const rules = renderRules([], {
    ...OPTS,
    randomFully: true,
    dropInvalid: false,
    masqueradeMark: '0x8000',
  });
  assert.deepEqual(rules.nat.get('SKIFF-POSTROUTING'), [
    '-A SKIFF-POSTROUTING -m mark ! --mark 0x8000/0x8000 -j RETURN',
    '-A SKIFF-POSTROUTING -j MARK --xor-mark 0x8000',
    '-A SKIFF-POSTROUTING -m comment --comment "skiff service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ]);
  assert.deepEqual(rules.filter.get('SKIFF-FORWARD'), [
    '-A SKIFF-FORWARD -m comment --comment "skiff forwarding rules" -m mark --mark 0x8000/0x8000 -j ACCEPT',
    '-A SKIFF-FORWARD -m comment --comment "skiff forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  ]);
});

/** `services` ports of `perService` endpoints each, the first with ClientIP affinity. */
function many(services: number, perService: number): ServicePortInfo[] {
  return Array.from({ length: services }, (_, i) =>
    port({
      name: `default/many-${i}`,
      clusterIP: `10.96.${i >> 8}.${i & 255}`,
      ...(i === 0 ? { affinitySeconds: 600 } : {}),
      endpoints: Array.from({ length: perService }, (_, k) => ({
        ip: `10.244.${k}.${i & 255}`,
        port: 8080,
      })),
    }),
  );
}

test('renderRules, large cluster mode: above 1,000 endpoints the per-endpoint rules carry no comment', () => {
  const perEndpoint = (rules: Ruleset): string[] =>
    [...rules.nat.entries()]
      .filter(([chain]) => chain.startsWith('SKIFF-SEP-') || chain.startsWith('SKIFF-SVC-'))
      .flatMap(([, lines]) => lines)
      .filter((line) => !line.includes('cluster IP'));
  const small = renderRules(many(100, 10), OPTS); // 1,000 endpoints: comments kept
  const large = renderRules(many(91, 11), OPTS); // 1,001 endpoints
  assert.ok(perEndpoint(small).every((line) => line.includes(' -m comment ')));
  const lines = perEndpoint(large);
  assert.equal(lines.length, 91 * 11 * 3 + 11); // SVC pick, SEP masq and DNAT; affinity checks
  assert.ok(
    lines.every((line) => !line.includes('comment')),
    lines.find((l) => l.includes('comment')),
  );
  const sep = endpointChain('default/many-0', 'TCP', '10.244.0.0:8080');
  assert.deepEqual(large.nat.get(sep), [
    `-A ${sep} -s 10.244.0.0 -j SKIFF-MARK-MASQ`,
    `-A ${sep} -m recent --name ${sep} --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.0:8080`,
  ]);
  // The dispatch and the masquerade rule of each service keep theirs.
  const dispatch = large.nat.get('SKIFF-SERVICES') ?? [];
  assert.ok(dispatch.every((line) => line.includes(' -m comment ')));
  assertTargetsExist(large);
});

test('renderRules is deterministic: equal input, byte-identical output', () => {
  const ports = [port({ name: web, endpoints: [{ ip: '10.244.1.5', port: 8080 }] })];
  assert.equal(
    toRestorePayload(renderRules(ports, OPTS)),
    toRestorePayload(renderRules(ports, OPTS)),
  );
});

const BUILTIN_TARGETS = new Set([
  'ACCEPT',
  'DROP',
  'RETURN',
  'REJECT',
  'DNAT',
  'MARK',
  'MASQUERADE',
]);

/** Every -j target is a builtin target or a chain declared in the same table. */
function assertTargetsExist(rules: Ruleset): void {
  for (const table of ['filter', 'nat'] as const) {
    for (const lines of rules[table].values()) {
      for (const line of lines) {
        const target = / -j (\S+)/.exec(line)?.[1] ?? '';
        assert.ok(BUILTIN_TARGETS.has(target) || rules[table].has(target), `${table}: ${line}`);
      }
    }
  }
}

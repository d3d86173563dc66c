import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  jumpPlacement,
  jumpRule,
  podNetworkChains,
  renderRestorePayload,
  type ObservedChain,
} from '../../../node-agent/network/forward-rules.ts';

const C = '10.244.0.0/16';
const S = '10.96.0.0/16';
const specs = podNetworkChains(C, S);
const FWD_JUMP = jumpRule('FORWARD', 'SKIFF-POD-FORWARD');
const NAT_JUMP = jumpRule('POSTROUTING', 'SKIFF-POD-MASQ');
const DOCKER_MASQ = '-A POSTROUTING -s 10.244.1.0/24 ! -o skiff-pods -j MASQUERADE';

/** The observed state after a perfect apply, with optional overrides per chain. */
function applied(over: Record<string, Partial<ObservedChain>> = {}): Map<string, ObservedChain> {
  const m = new Map<string, ObservedChain>();
  for (const s of specs) {
    const hook = [`-P ${s.hook} ACCEPT`, jumpRule(s.hook, s.chain)];
    m.set(s.chain, { chain: [`-N ${s.chain}`, ...s.rules], hook, ...over[s.chain] });
  }
  return m;
}

test('the chains accept pod traffic both ways and masquerade only what leaves the cluster', () => {
  const all = specs.flatMap((s) => s.rules);
  assert.ok(all.every((r) => /^-A SKIFF-POD-(FORWARD|MASQ) /.test(r)));
  assert.ok(
    all.includes(`-A SKIFF-POD-FORWARD -s ${C} -m comment --comment "skiff: from pods" -j ACCEPT`),
  );
  assert.ok(
    all.includes(`-A SKIFF-POD-FORWARD -d ${C} -m comment --comment "skiff: to pods" -j ACCEPT`),
  );
  // Unserved service addresses go back to FORWARD, where the proxy refuses them.
  const forward = specs.find((s) => s.table === 'filter')?.rules ?? [];
  assert.match(forward[1] ?? '', new RegExp(`^-A SKIFF-POD-FORWARD -d ${S} .*-j RETURN$`));
  assert.ok(
    forward.findIndex((r) => r.includes(`-s ${C}`)) > 1,
    'the service range returns before pods are accepted',
  );
  const nat = specs.find((s) => s.table === 'nat')?.rules ?? [];
  assert.match(
    nat[0] ?? '',
    new RegExp(`-s ${C} -d ${C} -m conntrack ! --ctstate DNAT .*-j ACCEPT$`),
  );
  assert.match(nat[1] ?? '', new RegExp(`-s ${C} ! -d ${C} .*-j MASQUERADE$`));
  assert.equal(nat.length, 2, 'no other NAT');
});

const placementCases: { name: string; hook: string[]; want: 'ok' | 'missing' | 'misplaced' }[] = [
  { name: 'first', hook: ['-P POSTROUTING ACCEPT', NAT_JUMP, DOCKER_MASQ], want: 'ok' },
  { name: 'absent', hook: ['-P POSTROUTING ACCEPT', DOCKER_MASQ], want: 'missing' },
  { name: 'below Docker masquerade', hook: [DOCKER_MASQ, NAT_JUMP], want: 'misplaced' },
  {
    name: 'below the proxy and DOCKER-USER jumps only',
    hook: [
      '-A POSTROUTING -m comment --comment "kube" -j KUBE-POSTROUTING',
      '-A FORWARD -j DOCKER-USER',
      NAT_JUMP,
    ],
    want: 'ok',
  },
  { name: 'twice', hook: [NAT_JUMP, NAT_JUMP], want: 'misplaced' },
];

for (const tc of placementCases) {
  test(`jumpPlacement: ${tc.name}`, () => {
    assert.equal(jumpPlacement(tc.hook, NAT_JUMP), tc.want);
  });
}

test('renderRestorePayload: nothing to apply when everything is in place', () => {
  assert.equal(renderRestorePayload(specs, applied()), '');
});

test('renderRestorePayload: from nothing, declares both chains and inserts both jumps at 1', () => {
  const empty = new Map<string, ObservedChain>(
    specs.map((s) => [s.chain, { chain: undefined, hook: [`-P ${s.hook} ACCEPT`] }]),
  );
  const text = renderRestorePayload(specs, empty);
  const lines = text.trimEnd().split('\n');
  assert.deepEqual(lines[0], '*filter');
  assert.equal(lines.filter((l) => l === 'COMMIT').length, 2);
  assert.ok(
    lines.includes(':SKIFF-POD-FORWARD - [0:0]') && lines.includes(':SKIFF-POD-MASQ - [0:0]'),
  );
  assert.ok(
    lines.includes('-I FORWARD 1 -m comment --comment "skiff pod network" -j SKIFF-POD-FORWARD'),
  );
  assert.ok(
    lines.includes('-I POSTROUTING 1 -m comment --comment "skiff pod network" -j SKIFF-POD-MASQ'),
  );
  // Every chain is declared before anything jumps to it, in the same table.
  for (const s of specs) {
    assert.ok(
      lines.indexOf(`:${s.chain} - [0:0]`) < lines.findIndex((l) => l.endsWith(`-j ${s.chain}`)),
    );
  }
  assert.ok(
    !lines.some((l) => /^(-F|-X|:FORWARD|:POSTROUTING)/.test(l)),
    'nothing else is flushed',
  );
});

test('renderRestorePayload: a changed chain is rewritten whole, the other table untouched', () => {
  const text = renderRestorePayload(
    specs,
    applied({
      'SKIFF-POD-MASQ': { chain: ['-N SKIFF-POD-MASQ', '-A SKIFF-POD-MASQ -j MASQUERADE'] },
    }),
  );
  const nat = specs.find((s) => s.table === 'nat');
  assert.equal(
    text,
    ['*nat', ':SKIFF-POD-MASQ - [0:0]', ...(nat?.rules ?? []), 'COMMIT', ''].join('\n'),
  );
});

test('renderRestorePayload: a misplaced or doubled jump is deleted (each copy) and put first', () => {
  const text = renderRestorePayload(
    specs,
    applied({
      'SKIFF-POD-MASQ': { hook: ['-P POSTROUTING ACCEPT', DOCKER_MASQ, NAT_JUMP, NAT_JUMP] },
    }),
  );
  const del = NAT_JUMP.replace('-A ', '-D ');
  assert.equal(
    text,
    ['*nat', del, del, NAT_JUMP.replace('-A POSTROUTING', '-I POSTROUTING 1'), 'COMMIT', ''].join(
      '\n',
    ),
  );
});

test('renderRestorePayload: filter FORWARD jump placement is checked the same way', () => {
  const text = renderRestorePayload(
    specs,
    applied({
      'SKIFF-POD-FORWARD': {
        hook: ['-P FORWARD DROP', '-A FORWARD -j DOCKER-ISOLATION-STAGE-1', FWD_JUMP],
      },
    }),
  );
  assert.match(text, /^\*filter\n-D FORWARD .*\n-I FORWARD 1 .*-j SKIFF-POD-FORWARD\nCOMMIT\n$/);
});

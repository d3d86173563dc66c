// ruleKey agrees with canonicalRule: equal for a rule as rendered and as iptables-save prints
// it, different when any value differs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalRule } from '../../../node-agent/proxy/kernel-view.ts';
import { ruleKey } from '../../../node-agent/proxy/rule-key.ts';

const SAME: [string, string][] = [
  [
    '-A SKIFF-SERVICES -m comment --comment "default/a cluster IP" -m tcp -p tcp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-A',
    '-A SKIFF-SERVICES -d 10.96.0.11/32 -p tcp -m comment --comment "default/a cluster IP" -m tcp --dport 80 -j SKIFF-SVC-A',
  ],
  [
    '-A SKIFF-SVC-A -m comment --comment "default/a -> 10.244.1.1:8080" -m statistic --mode random --probability 0.3333333333 -j SKIFF-SEP-A',
    '-A SKIFF-SVC-A -m comment --comment "default/a -> 10.244.1.1:8080" -m statistic --mode random --probability 0.33333333349 -j SKIFF-SEP-A',
  ],
  [
    '-A SKIFF-SEP-A -m comment --comment default/b -m recent --name SKIFF-SEP-A --set -m udp -p udp -j DNAT --to-destination 10.244.2.1:8080',
    '-A SKIFF-SEP-A -p udp -m comment --comment default/b -m recent --set --name SKIFF-SEP-A --mask 255.255.255.255 --rsource -m udp -j DNAT --to-destination 10.244.2.1:8080',
  ],
  [
    '-A SKIFF-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A SKIFF-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
  ],
  [
    '-A SKIFF-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A SKIFF-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
  ],
];

const BASE = '-A X -m tcp -p tcp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-A';
const DIFFERENT = [
  '-A X -m tcp -p tcp -d 10.96.0.12 --dport 80 -j SKIFF-SVC-A',
  '-A X -m tcp -p tcp -d 10.96.0.11 --dport 81 -j SKIFF-SVC-A',
  '-A X -m tcp -p tcp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-B',
  '-A X -m udp -p udp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-A',
  '-A X -m tcp -p tcp -d 10.96.0.11 --dport 80 -j SKIFF-SVC-A -m comment --comment x',
  '-A X -m tcp -p tcp -d 10.96.0.11 --dport 80 --mask 255.255.255.0 -j SKIFF-SVC-A',
];

for (const [rendered, saved] of SAME) {
  test(`ruleKey: equal as rendered and as saved: ${rendered.slice(0, 40)}...`, () => {
    assert.equal(canonicalRule(rendered), canonicalRule(saved));
    assert.equal(ruleKey(rendered), ruleKey(saved));
  });
}

test('ruleKey: a value that differs gives another key', () => {
  for (const other of DIFFERENT) {
    assert.notEqual(canonicalRule(other), canonicalRule(BASE), other);
    assert.notEqual(ruleKey(other), ruleKey(BASE), other);
  }
});

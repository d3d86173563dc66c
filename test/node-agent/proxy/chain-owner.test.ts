// Which SKIFF-* chains the proxy owns: its own are rewritten and deleted when
// stale; the pod network's and the local cluster's are never touched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isProxyChain } from '../../../node-agent/proxy/chain-names.ts';
import { planSync } from '../../../node-agent/proxy/plan-sync.ts';
import type { Ruleset } from '../../../node-agent/proxy/ruleset.ts';

const cases: [string, boolean][] = [
  ['SKIFF-SERVICES', true],
  ['SKIFF-PROXY-CANARY', true],
  ['SKIFF-SVC-XPGD46QRK7WJZT7O', true],
  ['SKIFF-SEP-SXIVWICOYRO3J4NJ', true],
  ['SKIFF-EXT-XPGD46QRK7WJZT7O', true],
  ['SKIFF-POD-FORWARD', false],
  ['SKIFF-POD-MASQ', false],
  ['SKIFF-HOST-FWD', false],
  ['KUBE-SERVICES', false],
  ['DOCKER', false],
];
for (const [chain, owned] of cases) {
  test(`${chain}: ${owned ? 'the proxy owns it' : "not the proxy's"}`, () => {
    assert.equal(isProxyChain(chain), owned);
  });
}

test("a full plan deletes stale proxy chains found in the kernel, never the pod network's", () => {
  const next: Ruleset = { filter: new Map(), nat: new Map([['SKIFF-SERVICES', []]]) };
  const plan = planSync(next, undefined, {
    filter: ['SKIFF-POD-FORWARD'],
    nat: ['SKIFF-POD-MASQ', 'SKIFF-SVC-AAAAAAAAAAAAAAAA'],
  });
  assert.deepEqual(plan.deleted.sort(), ['nat/SKIFF-SVC-AAAAAAAAAAAAAAAA']);
  assert.doesNotMatch(plan.payload, /SKIFF-POD-/);
});

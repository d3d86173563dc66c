import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointChain, serviceChain } from '../../../node-agent/proxy/chain-names.ts';
import { planSync } from '../../../node-agent/proxy/plan-sync.ts';
import { renderRules } from '../../../node-agent/proxy/render-rules.ts';
import type { Ruleset } from '../../../node-agent/proxy/ruleset.ts';
import type { ServicePortInfo } from '../../../node-agent/proxy/service-ports.ts';
import { applyPayload, emptyState, type ModelState } from './restore-model.ts';

const OPTS = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/16' };

function svc(name: string, ip: string, endpoints: string[]): ServicePortInfo {
  return {
    name: `default/${name}`,
    protocol: 'TCP',
    clusterIP: ip,
    port: 80,
    endpoints: endpoints.map((e) => ({ ip: e, port: 8080 })),
  };
}

const A = svc('a', '10.96.0.11', ['10.244.1.1', '10.244.1.2']);
const B = svc('b', '10.96.0.12', ['10.244.2.1']);
const C = svc('c', '10.96.0.13', ['10.244.3.1']);
const base = [A, B, C];

function render(ports: ServicePortInfo[]): Ruleset {
  return renderRules(ports, OPTS);
}

/** The model holds exactly `want` (plus anything not ours, e.g. DOCKER chains). */
function assertState(state: ModelState, want: Ruleset): void {
  for (const table of ['filter', 'nat'] as const) {
    const ours = [...state[table]].filter(([c]) => c.startsWith('SKIFF-'));
    assert.deepEqual(new Map(ours), new Map([...want[table]].map(([k, v]) => [k, [...v]])));
  }
}

function applied(rules: Ruleset): ModelState {
  const state = emptyState();
  applyPayload(state, planSync(rules).payload);
  return state;
}

test('full sync from nothing writes every chain, creating them before any jump', () => {
  const next = render(base);
  const plan = planSync(next);
  assert.equal(plan.written.length, next.filter.size + next.nat.size);
  assert.deepEqual(plan.deleted, []);
  assert.ok(
    plan.written.includes('nat/SKIFF-PROXY-CANARY') &&
      plan.written.includes('filter/SKIFF-PROXY-CANARY'),
  );
  assertState(applied(next), next);
});

test('nothing changed: empty payload', () => {
  const plan = planSync(render(base), render(base));
  assert.deepEqual(plan, { payload: '', written: [], deleted: [], rules: 0 });
});

test('one endpoint added: only that service chain and the new endpoint chain', () => {
  const prev = render(base);
  const next = render([A, svc('b', '10.96.0.12', ['10.244.2.1', '10.244.2.2']), C]);
  const plan = planSync(next, prev);
  assert.deepEqual(plan.written, [
    `nat/${serviceChain('default/b', 'TCP')}`,
    `nat/${endpointChain('default/b', 'TCP', '10.244.2.2:8080')}`,
  ]);
  assert.deepEqual(plan.deleted, []);
  const state = applied(prev);
  applyPayload(state, plan.payload);
  assertState(state, next);
});

test('service removed: dispatch rewritten, its chains flushed and deleted after, in one payload', () => {
  const prev = render(base);
  const next = render(base.filter((s) => s.name !== 'default/a'));
  const plan = planSync(next, prev);
  const svcA = serviceChain('default/a', 'TCP');
  const seps = ['10.244.1.1', '10.244.1.2'].map((ip) =>
    endpointChain('default/a', 'TCP', `${ip}:8080`),
  );
  assert.deepEqual(plan.written, ['nat/SKIFF-SERVICES']);
  assert.deepEqual(plan.deleted.sort(), [svcA, ...seps].map((c) => `nat/${c}`).sort());
  const lines = plan.payload.split('\n');
  // The jump to SVC-a leaves with the SKIFF-SERVICES rewrite; -X comes after every rule.
  const lastRule = lines.findLastIndex((l) => l.startsWith('-A '));
  const firstDelete = lines.findIndex((l) => l.startsWith('-X '));
  assert.ok(firstDelete > lastRule);
  const state = applied(prev);
  applyPayload(state, plan.payload);
  assertState(state, next);
});

test('service scaled to 0: nat chains deleted, filter REJECT added', () => {
  const prev = render(base);
  const next = render([A, B, svc('c', '10.96.0.13', [])]);
  const plan = planSync(next, prev);
  assert.deepEqual(plan.written, ['filter/SKIFF-SERVICES', 'nat/SKIFF-SERVICES']);
  assert.equal(plan.deleted.length, 2);
  const state = applied(prev);
  applyPayload(state, plan.payload);
  assertState(state, next);
  assert.ok(
    next.filter.get('SKIFF-SERVICES')?.some((l) => l.includes('default/c has no endpoints')),
  );
});

test('restart (no previous state): stale skiff chains found in the kernel are deleted, others untouched', () => {
  const old = render(base);
  const state = applied(old);
  state.nat.set('DOCKER', ['-A DOCKER -j RETURN']);
  state.nat.set('KUBE-SVC-AAAAAAAAAAAAAAAA', []);
  const next = render(base.slice(1));
  const plan = planSync(next, undefined, { nat: state.nat.keys(), filter: state.filter.keys() });
  assert.equal(plan.deleted.length, 3); // SVC-a and its two SEPs
  applyPayload(state, plan.payload);
  assertState(state, next);
  assert.ok(state.nat.has('DOCKER') && state.nat.has('KUBE-SVC-AAAAAAAAAAAAAAAA'));
});

test('canary gone (external flush): a full plan recreates every chain, canaries included', () => {
  const rules = render(base);
  const state = applied(rules);
  // What `iptables -t nat -F; iptables -t nat -X` of everything does to us.
  state.nat = new Map();
  state.filter = new Map();
  applyPayload(state, planSync(rules).payload);
  assertState(state, rules);
  assert.deepEqual(state.nat.get('SKIFF-PROXY-CANARY'), []);
});

test('a chain whose rules moved is rewritten, the planner never diffs by position only', () => {
  const prev = render(base);
  // Same rule count for SKIFF-SERVICES, different content (service b replaced by d).
  const next = render([A, svc('d', '10.96.0.14', ['10.244.2.1']), C]);
  const plan = planSync(next, prev);
  assert.ok(plan.written.includes('nat/SKIFF-SERVICES'));
  const state = applied(prev);
  applyPayload(state, plan.payload);
  assertState(state, next);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSteps } from '../../../node-agent/proxy/plan-steps.ts';
import { planSync } from '../../../node-agent/proxy/plan-sync.ts';
import { renderRules } from '../../../node-agent/proxy/render-rules.ts';
import type { Ruleset } from '../../../node-agent/proxy/ruleset.ts';
import type { ServicePortInfo } from '../../../node-agent/proxy/service-ports.ts';
import { applyPayload, emptyState, type ModelState } from './restore-model.ts';

const OPTS = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/16' };

function ports(n: number, offset = 0): ServicePortInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `default/s${String(i).padStart(5, '0')}`,
    protocol: 'TCP' as const,
    clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`,
    port: 80,
    nodePort: i % 7 === 0 ? 30000 + i : undefined,
    endpoints: [1, 2, 3].map((k) => ({ ip: `10.244.${k}.${(i + offset) & 255}`, port: 8080 })),
  }));
}

function toState(r: Ruleset): ModelState {
  return {
    filter: new Map([...r.filter].map(([k, v]) => [k, [...v]])),
    nat: new Map([...r.nat].map(([k, v]) => [k, [...v]])),
  };
}

/** `r` with nat SKIFF-SERVICES flushed (as after a hand-made flush of that one chain). */
function flushedDispatch(r: Ruleset): Ruleset {
  return { filter: r.filter, nat: new Map([...r.nat, ['SKIFF-SERVICES', []]]) };
}

/** Rule lines of per-service chains in a payload. */
function perServiceLines(payload: string): number {
  return payload.split('\n').filter((l) => /^-A SKIFF-(SVC|SEP|EXT)-/.test(l)).length;
}

const cases: { name: string; from?: Ruleset; to: Ruleset; maxRules: number }[] = [
  { name: 'first sync from empty', to: renderRules(ports(120), OPTS), maxRules: 300 },
  {
    name: 'every endpoint changed',
    from: renderRules(ports(120), OPTS),
    to: renderRules(ports(120, 1), OPTS),
    maxRules: 300,
  },
  {
    name: 'services removed and added',
    from: renderRules(ports(120), OPTS),
    to: renderRules(ports(60).concat(ports(160).slice(120)), OPTS),
    maxRules: 300,
  },
  {
    name: 'dispatch chain flushed, every endpoint changed',
    from: flushedDispatch(renderRules(ports(120), OPTS)),
    to: renderRules(ports(120, 1), OPTS),
    maxRules: 300,
  },
];

for (const c of cases) {
  test(`planSteps: ${c.name} in bounded, consistent steps with the single plan's result`, () => {
    const steps = planSteps(c.to, c.from, undefined, c.maxRules);
    assert.ok(steps.length > 2, `only ${steps.length} steps`);
    // The model checks every committed state: chains exist before jumps, -X only of unreferenced ones.
    const state = c.from ? toState(c.from) : emptyState();
    for (const s of steps.slice(0, -1)) {
      const n = perServiceLines(s.payload);
      assert.ok(n <= c.maxRules, `a step of ${n} per-service rules`);
      applyPayload(state, s.payload);
    }
    applyPayload(state, steps.at(-1)?.payload ?? '');
    const single = c.from ? toState(c.from) : emptyState();
    applyPayload(single, planSync(c.to, c.from).payload);
    assert.deepEqual(state, single);
    assert.deepEqual(state, toState(c.to));
  });
}

test('planSteps: a small sync is the single plan, nothing to do is no step', () => {
  const a = renderRules(ports(3), OPTS);
  const b = renderRules(ports(3, 1), OPTS);
  assert.deepEqual(planSteps(b, a), [planSync(b, a)]);
  assert.deepEqual(planSteps(a, a), []);
});

test('planSteps: a first sync appends the dispatch rules batch by batch, never rewriting them whole', () => {
  const to = renderRules(ports(120), OPTS);
  const steps = planSteps(to, undefined, undefined, 300);
  const dispatch = to.nat.get('SKIFF-SERVICES')?.length ?? 0;
  const declared = steps.filter((s) => s.payload.includes('\n:SKIFF-SERVICES - [0:0]\n'));
  assert.equal(declared.length, 2, 'SKIFF-SERVICES created once in each table');
  for (const s of steps) {
    const appended = s.payload.split('\n').filter((l) => l.startsWith('-A SKIFF-SERVICES ')).length;
    assert.ok(appended < dispatch, `a step writes ${appended} of ${dispatch} dispatch rules`);
  }
  // Appended in order: the rule of a service comes in the step that writes its chains, or later.
  const state = emptyState();
  for (const s of steps) {
    applyPayload(state, s.payload);
    const have = state.nat.get('SKIFF-SERVICES') ?? [];
    assert.deepEqual(have, (to.nat.get('SKIFF-SERVICES') ?? []).slice(0, have.length));
  }
});

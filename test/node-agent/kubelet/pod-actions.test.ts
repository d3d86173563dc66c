import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../fakes/fake-clock.ts';
import type { Container, Pod } from '../../../control-plane/api/types.ts';
import { Backoff, crashLoopKey } from '../../../node-agent/kubelet/backoff.ts';
import type { ObservedPod } from '../../../node-agent/kubelet/observed-pod.ts';
import { computePodActions, type PodAction } from '../../../node-agent/kubelet/pod-actions.ts';
import { container, exited, observed, pod, sandbox } from './fixtures.ts';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const T = (s: number) => T0 + s * 1000;

/** A compact, readable form of an action list. */
function summary(actions: PodAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'createSandbox':
        return `createSandbox#${a.attempt}`;
      case 'startContainer':
        return `start:${a.name}${a.init ? '(init)' : ''}#${a.attempt}`;
      case 'backOff':
        return `backOff:${a.name}`;
      case 'killContainer':
        return `kill:${a.name}(${a.reason},${a.gracePeriodSeconds}s${a.preStop ? ',preStop' : ''})`;
      case 'stopSandbox':
        return 'stopSandbox';
      case 'removePod':
        return `removePod:${a.ids.length}`;
      case 'podTerminated':
        return 'podTerminated';
    }
  });
}

interface Setup {
  pod: Pod;
  observed: ObservedPod;
  liveness?: Record<string, 'success' | 'failure'>;
  startup?: Record<string, 'success' | 'failure'>;
  /** Containers whose last exit is inside the backoff window. */
  inBackOff?: Container[];
}

function run(s: Setup, clock = new FakeClock(T(60))): PodAction[] {
  const backoff = new Backoff({ clock });
  for (const c of s.inBackOff ?? []) {
    const last = s.observed.containers.find(
      (x) => x.containerName === c.name && x.state === 'exited',
    );
    backoff.next(crashLoopKey(s.pod, c), last?.finishedAt ?? clock.now());
    backoff.next(crashLoopKey(s.pod, c), last?.finishedAt ?? clock.now());
  }
  return computePodActions({
    pod: s.pod,
    observed: s.observed,
    network: 'skiff-pods',
    probes: {
      liveness: (id) => s.liveness?.[id],
      startup: (id) => s.startup?.[id],
    },
    backoff,
  });
}

const a = container('a');
const b = container('b');
const i1 = container('i1');
const i2 = container('i2');

interface Case {
  name: string;
  setup: () => Setup;
  want: string[];
}

const withPolicy = (policy: 'Always' | 'OnFailure' | 'Never', init = false) =>
  pod('web', [a, b], { restartPolicy: policy, ...(init ? { initContainers: [i1, i2] } : {}) });

const cases: Case[] = [
  {
    name: 'a new pod: sandbox, then every app container',
    setup: () => ({ pod: withPolicy('Always'), observed: { sandboxes: [], containers: [] } }),
    want: ['createSandbox#0', 'start:a#0', 'start:b#0'],
  },
  {
    name: 'a new pod with init containers: sandbox, then the first init container only',
    setup: () => ({ pod: withPolicy('Always', true), observed: { sandboxes: [], containers: [] } }),
    want: ['createSandbox#0', 'start:i1(init)#0'],
  },
  {
    name: 'all running: nothing to do',
    setup: () => {
      const p = withPolicy('Always');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [observed(p, a, { state: 'running' }), observed(p, b, { state: 'running' })],
        },
      };
    },
    want: [],
  },
  {
    name: 'an init container still running: wait',
    setup: () => {
      const p = withPolicy('Always', true);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [observed(p, i1, { state: 'running' })] },
      };
    },
    want: [],
  },
  {
    name: 'first init container done: start the second',
    setup: () => {
      const p = withPolicy('Always', true);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [exited(p, i1, 0, T(5))] },
      };
    },
    want: ['start:i2(init)#0'],
  },
  {
    name: 'all init containers done: start the app containers',
    setup: () => {
      const p = withPolicy('Always', true);
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [exited(p, i2, 0, T(6), { createdAt: T(5) }), exited(p, i1, 0, T(4))],
        },
      };
    },
    want: ['start:a#0', 'start:b#0'],
  },
  {
    name: 'init containers removed but an app container runs: initialization is over',
    setup: () => {
      const p = withPolicy('Always', true);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [observed(p, a, { state: 'running' })] },
      };
    },
    want: ['start:b#0'],
  },
  {
    name: 'a failed init container restarts (Always)',
    setup: () => {
      const p = withPolicy('Always', true);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [exited(p, i1, 1, T(5))] },
      };
    },
    want: ['start:i1(init)#1'],
  },
  {
    name: 'a failed init container inside its back-off window waits',
    setup: () => {
      const p = withPolicy('OnFailure', true);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [exited(p, i1, 1, T(55))] },
        inBackOff: [i1],
      };
    },
    want: ['backOff:i1'],
  },
  {
    name: 'a failed init container under Never: the pod is over, its sandbox stops',
    setup: () => {
      const p = withPolicy('Never', true);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [exited(p, i1, 1, T(5))] },
      };
    },
    want: ['stopSandbox'],
  },
  {
    name: 'an init container OOM-killed with exit code 0 has failed',
    setup: () => {
      const p = withPolicy('Always', true);
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [exited(p, i1, 0, T(5), { reason: 'OOMKilled' })],
        },
      };
    },
    want: ['start:i1(init)#1'],
  },
  {
    name: 'an exited container restarts under Always (outside the back-off window)',
    setup: () => {
      const p = withPolicy('Always');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [exited(p, a, 0, T(5), { attempt: 4 }), observed(p, b, { state: 'running' })],
        },
      };
    },
    want: ['start:a#5'],
  },
  {
    name: 'a crashed container inside its back-off window: CrashLoopBackOff',
    setup: () => {
      const p = withPolicy('Always');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [exited(p, a, 1, T(55)), observed(p, b, { state: 'running' })],
        },
        inBackOff: [a],
      };
    },
    want: ['backOff:a'],
  },
  {
    name: 'OnFailure: a container that exited 0 stays down',
    setup: () => {
      const p = withPolicy('OnFailure');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [exited(p, a, 0, T(5)), observed(p, b, { state: 'running' })],
        },
      };
    },
    want: [],
  },
  {
    name: 'OnFailure: a container that exited 1 restarts',
    setup: () => {
      const p = withPolicy('OnFailure');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [exited(p, a, 1, T(5)), observed(p, b, { state: 'running' })],
        },
      };
    },
    want: ['start:a#1'],
  },
  {
    name: 'Never: all exited, the pod is done and its sandbox stops',
    setup: () => {
      const p = withPolicy('Never');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [exited(p, a, 0, T(5)), exited(p, b, 1, T(6))],
        },
      };
    },
    want: ['stopSandbox'],
  },
  {
    name: 'Never: all exited and the sandbox stopped: nothing more',
    setup: () => {
      const p = withPolicy('Never');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p, { state: 'notready', ip: '' })],
          containers: [exited(p, a, 0, T(5)), exited(p, b, 0, T(6))],
        },
      };
    },
    want: [],
  },
  {
    name: 'OnFailure: all succeeded and the sandbox stopped: nothing more',
    setup: () => {
      const p = withPolicy('OnFailure');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p, { state: 'notready', ip: '' })],
          containers: [exited(p, a, 0, T(5)), exited(p, b, 0, T(6))],
        },
      };
    },
    want: [],
  },
  {
    name: 'OnFailure: the sandbox died, only the failed container comes back',
    setup: () => {
      const p = withPolicy('OnFailure');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p, { state: 'notready', ip: '', attempt: 0 })],
          containers: [exited(p, a, 0, T(5)), exited(p, b, 2, T(6))],
        },
      };
    },
    want: ['createSandbox#1', 'start:b#1'],
  },
  {
    name: 'Always: the sandbox died, a new one and every container (attempts go on)',
    setup: () => {
      const p = withPolicy('Always');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p, { state: 'notready', ip: '', attempt: 2 })],
          containers: [exited(p, a, 137, T(5), { attempt: 1 }), exited(p, b, 137, T(5))],
        },
      };
    },
    want: ['createSandbox#3', 'start:a#2', 'start:b#1'],
  },
  {
    name: 'the sandbox is on another network: take the pod down and recreate it',
    setup: () => {
      const p = withPolicy('Always');
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p, { network: 'old-pods' })],
          containers: [observed(p, a, { state: 'running' }), observed(p, b, { state: 'running' })],
        },
      };
    },
    want: [
      'kill:a(SandboxChanged,30s)',
      'kill:b(SandboxChanged,30s)',
      'stopSandbox',
      'createSandbox#1',
      'start:a#1',
      'start:b#1',
    ],
  },
  {
    name: 'two ready sandboxes: reconcile to a single new one',
    setup: () => {
      const p = pod('web', [a], { restartPolicy: 'Always' });
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p, { attempt: 1, createdAt: T(9) }), sandbox(p)],
          containers: [],
        },
      };
    },
    want: ['stopSandbox', 'stopSandbox', 'createSandbox#2', 'start:a#0'],
  },
  {
    name: 'a sandbox without an IP is recreated',
    setup: () => {
      const p = pod('web', [a]);
      return { pod: p, observed: { sandboxes: [sandbox(p, { ip: '' })], containers: [] } };
    },
    want: ['stopSandbox', 'createSandbox#1', 'start:a#0'],
  },
  {
    name: 'a failed liveness probe: kill and restart',
    setup: () => {
      const p = withPolicy('Always');
      const ra = observed(p, a, { state: 'running', attempt: 1 });
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [ra, observed(p, b, { state: 'running' })],
        },
        liveness: { [ra.id]: 'failure' },
      };
    },
    want: ['kill:a(Unhealthy,30s)', 'start:a#2'],
  },
  {
    name: 'a failed liveness probe under Never: kill only (the other container keeps running)',
    setup: () => {
      const p = withPolicy('Never');
      const ra = observed(p, a, { state: 'running' });
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [ra, observed(p, b, { state: 'running' })],
        },
        liveness: { [ra.id]: 'failure' },
      };
    },
    want: ['kill:a(Unhealthy,30s)'],
  },
  {
    name: 'a failed liveness probe of the only container under Never: the pod is done',
    setup: () => {
      const p = pod('web', [a], { restartPolicy: 'Never' });
      const ra = observed(p, a, { state: 'running' });
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [ra] },
        liveness: { [ra.id]: 'failure' },
      };
    },
    want: ['kill:a(Unhealthy,30s)', 'stopSandbox'],
  },
  {
    name: "a failed startup probe, with the probe's own grace period",
    setup: () => {
      const c = container('a', {
        startupProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 5 },
      });
      const p = pod('web', [c]);
      const rc = observed(p, c, { state: 'running' });
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [rc] },
        startup: { [rc.id]: 'failure' },
      };
    },
    want: ['kill:a(StartupFailed,5s)', 'start:a#1'],
  },
  {
    name: 'a changed spec (new image) restarts the container, even under Never',
    setup: () => {
      const p = pod('web', [container('a', { image: 'skiff/echo:2' })], { restartPolicy: 'Never' });
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [observed(p, a, { state: 'running' })] },
      };
    },
    want: ['kill:a(SpecChanged,30s)', 'start:a#1'],
  },
  {
    name: 'an older hash version with the same image is not a change (agent upgrade)',
    setup: () => {
      const p = pod('web', [a]);
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [observed(p, a, { state: 'running', hash: 'old', hashVersion: '0' })],
        },
      };
    },
    want: [],
  },
  {
    name: 'a container in an unknown state is killed and started again',
    setup: () => {
      const p = pod('web', [a]);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [observed(p, a, { state: 'unknown' })] },
      };
    },
    want: ['kill:a(Unknown,30s)', 'start:a#1'],
  },
  {
    name: 'a created but never started container is started as a new attempt',
    setup: () => {
      const p = pod('web', [a]);
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [observed(p, a, { state: 'created' })] },
      };
    },
    want: ['start:a#1'],
  },
  {
    name: 'deletion: every running container is killed with its preStop hook, then the sandbox stops',
    setup: () => {
      const hooked = container('a', {
        lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
      });
      const p = pod(
        'web',
        [hooked, b],
        {},
        { deletionTimestamp: '2025-01-01T00:01:00Z', deletionGracePeriodSeconds: 10 },
      );
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p)],
          containers: [
            observed(p, hooked, { state: 'running' }),
            observed(p, b, { state: 'running' }),
            exited(p, b, 1, T(3)),
          ],
        },
      };
    },
    want: ['kill:a(Deleted,10s,preStop)', 'kill:b(Deleted,10s)', 'stopSandbox'],
  },
  {
    name: 'deletion: all stopped, remove every container and sandbox',
    setup: () => {
      const p = pod(
        'web',
        [a],
        {},
        { deletionTimestamp: '2025-01-01T00:01:00Z', deletionGracePeriodSeconds: 30 },
      );
      return {
        pod: p,
        observed: {
          sandboxes: [sandbox(p, { state: 'notready', ip: '' })],
          containers: [exited(p, a, 0, T(5)), exited(p, a, 1, T(2))],
        },
      };
    },
    want: ['removePod:3'],
  },
  {
    name: 'deletion: nothing left, the pod is terminated',
    setup: () => ({
      pod: pod('web', [a], {}, { deletionTimestamp: '2025-01-01T00:01:00Z' }),
      observed: { sandboxes: [], containers: [] },
    }),
    want: ['podTerminated'],
  },
  {
    name: 'forced deletion (grace 0) still gives the container 1 s',
    setup: () => {
      const p = pod(
        'web',
        [a],
        {},
        { deletionTimestamp: '2025-01-01T00:01:00Z', deletionGracePeriodSeconds: 0 },
      );
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [observed(p, a, { state: 'running' })] },
      };
    },
    want: ['kill:a(Deleted,1s)', 'stopSandbox'],
  },
  {
    name: 'a grace period under 2 s is raised to 2 s',
    setup: () => {
      const p = pod('web', [a], { terminationGracePeriodSeconds: 0 });
      const ra = observed(p, a, { state: 'running' });
      return {
        pod: p,
        observed: { sandboxes: [sandbox(p)], containers: [ra] },
        liveness: { [ra.id]: 'failure' },
      };
    },
    want: ['kill:a(Unhealthy,2s)', 'start:a#1'],
  },
];

for (const tc of cases) {
  test(`computePodActions: ${tc.name}`, () => {
    assert.deepEqual(summary(run(tc.setup())), tc.want);
  });
}

test('a restart carries what the executor records in the back-off; a back-off carries the kubelet message', () => {
  const p = withPolicy('Always');
  const last = exited(p, a, 1, T(50));
  const obs = { sandboxes: [sandbox(p)], containers: [last, observed(p, b, { state: 'running' })] };
  const [start] = run({ pod: p, observed: obs });
  assert.deepEqual(start, {
    type: 'startContainer',
    name: 'a',
    init: false,
    attempt: 1,
    backoff: { key: crashLoopKey(p, a), since: T(50) },
  });

  const [wait] = run({ pod: p, observed: obs, inBackOff: [a] });
  const podRef = `web_default(${p.metadata.uid ?? ''})`;
  assert.deepEqual(wait, {
    type: 'backOff',
    name: 'a',
    init: false,
    reason: 'CrashLoopBackOff',
    message: `back-off 20s restarting failed container=a pod=${podRef}`,
    event: `Back-off restarting failed container a in pod ${podRef}`,
  });
});

test('CrashLoopBackOff end to end on a fake clock: restart delays double', () => {
  const clock = new FakeClock(T(0));
  const backoff = new Backoff({ clock, baseMs: 1000, capMs: 8000 });
  const p = pod('crash', [a]);
  const containers = [observed(p, a, { state: 'running', createdAt: T(0) })];
  const restarts: number[] = [];
  for (let step = 0; step < 200 && restarts.length < 6; step++) {
    const latest = containers[0];
    assert.ok(latest);
    if (latest.state === 'running') {
      // It crashes right away.
      containers[0] = {
        ...latest,
        state: 'exited',
        exitCode: 1,
        reason: 'Error',
        finishedAt: clock.now(),
      };
    }
    const actions = computePodActions({
      pod: p,
      observed: { sandboxes: [sandbox(p)], containers },
      network: 'skiff-pods',
      probes: { liveness: () => undefined, startup: () => undefined },
      backoff,
    });
    const start = actions.find((x) => x.type === 'startContainer');
    if (start?.type === 'startContainer') {
      if (start.backoff) backoff.next(start.backoff.key, start.backoff.since);
      restarts.push(clock.now() - (containers[0]?.finishedAt ?? 0));
      containers.unshift(
        observed(p, a, { state: 'running', attempt: start.attempt, createdAt: clock.now() }),
      );
    } else {
      assert.deepEqual(summary(actions), ['backOff:a']);
    }
    clock.advance(250);
  }
  assert.deepEqual(restarts, [0, 1000, 2000, 4000, 8000, 8000]);
});

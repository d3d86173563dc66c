// pickLogInstance: which instance of a container `kubectl logs` and
// `kubectl logs --previous` read, as the kubelet's validateContainerLogStatus
// decides it from the current state and lastState.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuntimeContainer } from '../../../node-agent/kubelet/runtime/runtime.ts';
import { pickLogInstance } from '../../../node-agent/server/index.ts';

function instance(attempt: number, state: RuntimeContainer['state']): RuntimeContainer {
  return {
    id: `c${attempt}`,
    podUid: 'uid-1',
    podNamespace: 'default',
    podName: 'web',
    containerName: 'app',
    attempt,
    nodeName: 'n1',
    hash: 'h',
    hashVersion: '1',
    image: 'skiff/echo:1',
    imageId: 'sha256:0',
    state,
    createdAt: 1_000 + attempt,
  };
}

const cases: {
  name: string;
  instances: RuntimeContainer[];
  previous: boolean;
  waiting: boolean;
  want: string | undefined;
}[] = [
  { name: 'none yet', instances: [], previous: false, waiting: true, want: undefined },
  { name: 'none yet, previous', instances: [], previous: true, waiting: true, want: undefined },
  {
    name: 'one running',
    instances: [instance(0, 'running')],
    previous: false,
    waiting: false,
    want: 'c0',
  },
  {
    name: 'one running, previous: none',
    instances: [instance(0, 'running')],
    previous: true,
    waiting: false,
    want: undefined,
  },
  {
    name: 'restarted: the newest, whatever the list order',
    instances: [instance(1, 'exited'), instance(3, 'running'), instance(2, 'exited')],
    previous: false,
    waiting: false,
    want: 'c3',
  },
  {
    name: 'restarted, previous: attempt - 1',
    instances: [instance(1, 'exited'), instance(3, 'running'), instance(2, 'exited')],
    previous: true,
    waiting: false,
    want: 'c2',
  },
  {
    name: 'restarted, previous removed: the newest older one',
    instances: [instance(1, 'exited'), instance(3, 'running')],
    previous: true,
    waiting: false,
    want: 'c1',
  },
  {
    name: 'crash loop back-off: the exited newest one',
    instances: [instance(0, 'exited'), instance(1, 'exited')],
    previous: false,
    waiting: true,
    want: 'c1',
  },
  {
    name: 'crash loop back-off, previous: also the exited newest one (lastState)',
    instances: [instance(0, 'exited'), instance(1, 'exited')],
    previous: true,
    waiting: true,
    want: 'c1',
  },
  {
    name: 'terminated for good (restartPolicy Never), previous: none',
    instances: [instance(0, 'exited')],
    previous: true,
    waiting: false,
    want: undefined,
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    assert.equal(pickLogInstance(tc.instances, tc.previous, tc.waiting)?.id, tc.want);
  });
}

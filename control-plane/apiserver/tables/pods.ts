/**
 * The pod table of `kubectl get pods` (printPod in Kubernetes' printers):
 * READY counts ready app containers and started sidecars, STATUS is the
 * reason kubectl users know (ContainerCreating, CrashLoopBackOff,
 * Init:0/1, Completed, Terminating, ...), RESTARTS carries "(5m ago)".
 */
import type { ContainerStatus, Pod } from '../../api/types.ts';
import { AGE_COLUMN, NAME_COLUMN, column, since, type PrintedRow, type Printer } from './format.ts';

/** Pods of an unreachable node that are being deleted print as Unknown. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

const SUCCEEDED = [
  {
    type: 'Completed',
    status: 'True',
    reason: 'Succeeded',
    message: 'The pod has completed successfully.',
  },
];
const FAILED = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE_COLUMN,
    column(
      'IP',
      'string',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      { priority: 1 },
    ),
    column('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', {
      priority: 1,
    }),
    column(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node.',
      { priority: 1 },
    ),
    column(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness.',
      { priority: 1 },
    ),
  ],
  row: (obj, now) => printPod(obj as Pod, now),
};

interface Tally {
  restarts: number;
  /** Milliseconds of the latest lastState.terminated.finishedAt, 0 when none. */
  lastRestart: number;
}

function printPod(pod: Pod, now: Date): PrintedRow {
  const spec = pod.spec ?? ({} as Pod['spec']);
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const initSpecs = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  const isSidecar = (name: string) => initSpecs.get(name)?.restartPolicy === 'Always';
  const total = (spec.containers ?? []).length + [...initSpecs.keys()].filter(isSidecar).length;
  let ready = 0;

  const all: Tally = { restarts: 0, lastRestart: 0 };
  const sidecars: Tally = { restarts: 0, lastRestart: 0 };
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i] as ContainerStatus;
    count(all, c);
    if (isSidecar(c.name)) count(sidecars, c);
    const terminated = c.state?.terminated;
    if (terminated && terminated.exitCode === 0) continue;
    if (isSidecar(c.name) && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    initializing = true;
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.size}`;
    }
    break;
  }

  let tally = all;
  const initialized = (status.conditions ?? []).some(
    (c) => c.type === 'Initialized' && c.status === 'True',
  );
  if (!initializing || initialized) {
    tally = { ...sidecars };
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as ContainerStatus;
      count(tally, c);
      const { waiting, terminated, running } = c.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) {
        reason = terminated.signal
          ? `Signal:${terminated.signal}`
          : `ExitCode:${terminated.exitCode}`;
      } else if (c.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    // a pod whose last container completed but others still run is Running (or NotReady)
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      );
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const deleting = Boolean(pod.metadata?.deletionTimestamp);
  if (deleting && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restarts =
    tally.restarts !== 0 && tally.lastRestart !== 0
      ? `${tally.restarts} (${since(new Date(tally.lastRestart).toISOString(), now)} ago)`
      : String(tally.restarts);
  const cells = [
    pod.metadata?.name ?? '',
    `${ready}/${total}`,
    reason,
    restarts,
    since(pod.metadata?.creationTimestamp, now),
    status.podIPs?.[0]?.ip || status.podIP || '<none>',
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    readinessGates(pod),
  ];
  if (phase === 'Succeeded') return { cells, conditions: SUCCEEDED };
  if (phase === 'Failed') return { cells, conditions: FAILED };
  return { cells };
}

function count(t: Tally, c: ContainerStatus): void {
  t.restarts += c.restartCount ?? 0;
  const finished = c.lastState?.terminated?.finishedAt;
  const at = finished ? Date.parse(finished) : NaN;
  if (!Number.isNaN(at) && at > t.lastRestart) t.lastRestart = at;
}

/** "<none>", or "true conditions/readiness gates". */
function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const passed = gates.filter(
    (g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True',
  );
  return `${passed.length}/${gates.length}`;
}

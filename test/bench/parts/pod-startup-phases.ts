/**
 * Where a pod's start-up time goes, from Docker's own timestamps (the
 * engine runs on this machine, so its clock is ours): the sandbox's and
 * the app container's Created and State.StartedAt, placed between the
 * moment the create request was sent and the moment Running was seen.
 * Read after the fact (outside the timed path) for the pod-startup
 * benchmark's breakdown; the raw baseline gets the same breakdown.
 */
import type Docker from 'dockerode';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from '../../../node-agent/kubelet/runtime/labels.ts';
import { SANDBOX_CONTAINER_NAME } from '../../../node-agent/kubelet/runtime/labels.ts';
import { percentile } from '../lib.ts';

/** Milliseconds of each step of one start. */
export interface Phases {
  /** Request sent → sandbox created (agent: informer, worker, observe, checks). */
  toSandbox: number;
  /** Sandbox created → started. */
  sandboxStart: number;
  /** Sandbox started → app container created (agent: inspect, volumes, env, image check). */
  toApp: number;
  /** App created → started. */
  appStart: number;
  /** App started → Running seen (agent: observe, status write; raw: inspect). */
  toSeen: number;
}

export const PHASE_NAMES: Record<keyof Phases, string> = {
  toSandbox: 'request → sandbox created',
  sandboxStart: 'sandbox created → started',
  toApp: 'sandbox started → app created',
  appStart: 'app created → started',
  toSeen: 'app started → Running seen',
};

/** The step times of a start of `sandboxId` + `appId` sent at `sentWall` and seen at `seenWall` (Date.now()). */
export async function phasesOf(
  docker: Docker,
  sandboxId: string,
  appId: string,
  sentWall: number,
  seenWall: number,
): Promise<Phases> {
  const [sb, app] = await Promise.all([
    docker.getContainer(sandboxId).inspect(),
    docker.getContainer(appId).inspect(),
  ]);
  const sbCreated = Date.parse(sb.Created);
  const sbStarted = Date.parse(sb.State.StartedAt);
  const appCreated = Date.parse(app.Created);
  const appStarted = Date.parse(app.State.StartedAt);
  return {
    toSandbox: sbCreated - sentWall,
    sandboxStart: sbStarted - sbCreated,
    toApp: appCreated - sbStarted,
    appStart: appStarted - appCreated,
    toSeen: seenWall - appStarted,
  };
}

/** The sandbox and app container IDs the agent made for pod `uid` (newest of each). */
export async function podContainerIds(
  docker: Docker,
  uid: string,
): Promise<{ sandboxId: string; appId: string }> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_POD_UID}=${uid}`] },
  });
  const byName = (name: string) =>
    list
      .filter((c) => c.Labels[LABEL_CONTAINER_NAME] === name)
      .sort((a, b) => b.Created - a.Created)[0]?.Id;
  const sandboxId = byName(SANDBOX_CONTAINER_NAME);
  const appId = byName('app');
  if (!sandboxId || !appId) throw new Error(`pod ${uid}: no sandbox or app container on the node`);
  return { sandboxId, appId };
}

/** Prints the p50 of every step for pods beside raw Docker. */
export function printPhases(
  out: (s: string) => void,
  pods: readonly Phases[],
  raws: readonly Phases[],
): void {
  out(`  ${'step (p50 over the runs)'.padEnd(36)} ${'pod'.padStart(8)} ${'raw'.padStart(8)}`);
  for (const key of Object.keys(PHASE_NAMES) as (keyof Phases)[]) {
    const p = percentile(
      pods.map((x) => x[key]),
      0.5,
    );
    const r = percentile(
      raws.map((x) => x[key]),
      0.5,
    );
    out(`  ${PHASE_NAMES[key].padEnd(36)} ${fmt(p)} ${fmt(r)}`);
  }
}

function fmt(ms: number): string {
  return `${Math.round(ms)} ms`.padStart(8);
}

/** One start's steps in a line, e.g. "14+685+15+236+33". */
export function phasesLine(p: Phases): string {
  return (Object.keys(PHASE_NAMES) as (keyof Phases)[]).map((k) => Math.round(p[k])).join('+');
}

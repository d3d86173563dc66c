/**
 * The pod-startup benchmark's raw baseline: what a pod needs from Docker,
 * done directly with dockerode through the node's socket: create and start
 * a sandbox (the pause image on the agent's pod network, IPC shareable),
 * create and start the app container joined to its network and IPC
 * namespaces, then inspect until the engine says it runs. No labels, so
 * the agent ignores these containers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { ECHO_IMAGE, PAUSE_IMAGE } from '../../../deploy/local-cluster/index.ts';
import { POD_NETWORK } from '../../../node-agent/agent.ts';

/** Name prefix of the raw containers (removal after a failed run finds them by it). */
export const RAW_PREFIX = 'skiffb-raw-';
const RUNNING_WAIT_MS = 60_000;

/** One raw "pod": its container IDs (sandbox, app) and the time from the first create to running. */
export interface RawPod {
  ms: number;
  ids: string[];
  /** Date.now() at the first create request, and when the app was seen running. */
  sentWall: number;
  seenWall: number;
}

/** Starts the sandbox + app pair named `name` and times it. */
export async function startRawPod(docker: Docker, name: string): Promise<RawPod> {
  const ids: string[] = [];
  const sentWall = Date.now();
  const t0 = performance.now();
  try {
    const sandbox = await docker.createContainer({
      name: `${RAW_PREFIX}${name}-pause`,
      Image: PAUSE_IMAGE,
      HostConfig: { NetworkMode: POD_NETWORK, IpcMode: 'shareable', RestartPolicy: { Name: 'no' } },
    });
    ids.push(sandbox.id);
    await sandbox.start();
    const joined = `container:${sandbox.id}`;
    const app = await docker.createContainer({
      name: `${RAW_PREFIX}${name}-app`,
      Image: ECHO_IMAGE,
      HostConfig: { NetworkMode: joined, IpcMode: joined, RestartPolicy: { Name: 'no' } },
    });
    ids.push(app.id);
    await app.start();
    await waitRunning(app);
    const ms = performance.now() - t0;
    return { ms, ids, sentWall, seenWall: sentWall + ms };
  } catch (err) {
    await removeRaw(docker, ids);
    throw new Error(`raw Docker pod ${name}: ${String(err)}`, { cause: err });
  }
}

/** Force-removes the containers (app first, then its sandbox); missing ones are fine. */
export async function removeRaw(docker: Docker, ids: readonly string[]): Promise<void> {
  for (const id of [...ids].reverse()) {
    await docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      });
  }
}

/** Removes every raw container left on the node (after a failure part-way). */
export async function removeAllRaw(docker: Docker): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { name: [RAW_PREFIX] } });
  const apps = left.filter((c) => c.Names.some((n) => n.endsWith('-app')));
  const rest = left.filter((c) => !apps.includes(c));
  await removeRaw(
    docker,
    [...rest, ...apps].map((c) => c.Id),
  );
}

async function waitRunning(c: Docker.Container): Promise<void> {
  const deadline = performance.now() + RUNNING_WAIT_MS;
  for (;;) {
    const info = await c.inspect();
    if (info.State.Running) return;
    if (info.State.Status === 'exited' || info.State.Status === 'dead') {
      throw new Error(`container ${c.id.slice(0, 12)} ${info.State.Status}: ${info.State.Error}`);
    }
    if (performance.now() > deadline) {
      throw new Error(`container ${c.id.slice(0, 12)} not running within ${RUNNING_WAIT_MS} ms`);
    }
    await sleep(5);
  }
}

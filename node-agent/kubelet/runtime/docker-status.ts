/**
 * Docker's validated answers → the runtime's observed types (pure). The
 * state mapping is dockershim's (pkg/kubelet/dockershim/docker_container.go
 * ContainerStatus), which Kubernetes users' expectations were built on:
 * - running → running;
 * - FinishedAt set → exited, reason OOMKilled if the kernel killed it for
 *   memory (even with exit code 0), Completed on 0, else Error;
 * - FinishedAt unset but exit code ≠ 0 → exited ContainerCannotRun (it
 *   never started), with created time as start and finish;
 * - else → created.
 */
import { LABEL_POD_UID, SANDBOX_CONTAINER_NAME, parseContainerLabels } from './labels.ts';
import type {
  ContainerInspect,
  ContainerListEntry,
  EngineEvent,
  ImageInspect,
} from './docker-schemas.ts';
import type {
  ContainerIdentity,
  RuntimeContainer,
  RuntimeContainerState,
  RuntimeContainerStatus,
  RuntimeEvent,
  RuntimeSandbox,
  TerminatedReason,
} from './runtime.ts';

/** Docker's zero time ("0001-01-01T00:00:00Z") and anything unparsable → undefined. */
export function dockerTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The observed status of a container from its inspect answer, or undefined if not ours. */
export function statusFromInspect(
  info: ContainerInspect,
  imageRef: string,
): RuntimeContainerStatus | undefined {
  const identity = parseContainerLabels(info.Config.Labels);
  if (!identity) return undefined;
  const createdAt = dockerTime(info.Created) ?? 0;
  const base = {
    ...identity,
    id: info.Id,
    image: info.Config.Image,
    imageId: info.Image,
    createdAt,
    imageRef,
    tty: info.Config.Tty === true,
    ...(info.State.Error ? { message: info.State.Error } : {}),
  };
  const s = info.State;
  const finishedAt = dockerTime(s.FinishedAt);
  const startedAt = dockerTime(s.StartedAt);
  if (s.Running) return { ...base, state: 'running', ...(startedAt ? { startedAt } : {}) };
  if (finishedAt !== undefined) {
    const reason: TerminatedReason = s.OOMKilled
      ? 'OOMKilled'
      : s.ExitCode === 0
        ? 'Completed'
        : 'Error';
    return {
      ...base,
      state: 'exited',
      exitCode: s.ExitCode,
      reason,
      finishedAt,
      ...(startedAt ? { startedAt } : {}),
    };
  }
  if (s.ExitCode !== 0) {
    return {
      ...base,
      state: 'exited',
      exitCode: s.ExitCode,
      reason: 'ContainerCannotRun',
      startedAt: createdAt,
      finishedAt: createdAt,
    };
  }
  return { ...base, state: 'created' };
}

/** The pod status imageID of an image: by repo digest when pulled from a registry. */
export function imageRefOf(imageId: string, image: ImageInspect | undefined): string {
  const digest = image?.RepoDigests?.[0];
  return digest ? `docker-pullable://${digest}` : `docker://${imageId}`;
}

/** A list entry → the container or sandbox it is; undefined when not ours. */
export function fromListEntry(
  e: ContainerListEntry,
): { sandbox: RuntimeSandbox } | { container: RuntimeContainer } | undefined {
  const identity = parseContainerLabels(e.Labels);
  if (!identity) return undefined;
  const createdAt = e.Created * 1000;
  if (identity.containerName === SANDBOX_CONTAINER_NAME) {
    const network = e.HostConfig?.NetworkMode ?? '';
    const running = e.State === 'running';
    const ip = running ? (e.NetworkSettings?.Networks?.[network]?.IPAddress ?? '') : '';
    return {
      sandbox: {
        ...identity,
        id: e.Id,
        state: running ? 'ready' : 'notready',
        ip,
        network,
        createdAt,
      },
    };
  }
  return {
    container: {
      ...identity,
      id: e.Id,
      image: e.Image,
      imageId: e.ImageID,
      state: listState(e.State),
      createdAt,
    },
  };
}

function listState(state: string): RuntimeContainerState {
  switch (state) {
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'created':
      return 'created';
    case 'exited':
    case 'dead':
      return 'exited';
    default:
      return 'unknown';
  }
}

/** A container event → the runtime's event; undefined for other object types. */
export function fromEngineEvent(e: EngineEvent): RuntimeEvent | undefined {
  if (e.Type !== 'container') return undefined;
  const attrs = e.Actor.Attributes ?? {};
  const identity: Partial<ContainerIdentity> = parseContainerLabels(attrs) ?? {
    ...(attrs[LABEL_POD_UID] ? { podUid: attrs[LABEL_POD_UID] } : {}),
  };
  const time = e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000;
  const exitCode = attrs.exitCode !== undefined ? Number(attrs.exitCode) : undefined;
  return {
    ...identity,
    // "exec_start: sh -c ..." and "health_status: healthy" carry detail after a colon.
    action: e.Action.split(':')[0] ?? e.Action,
    containerId: e.Actor.ID,
    time,
    ...(exitCode !== undefined && Number.isInteger(exitCode) ? { exitCode } : {}),
  };
}

/** Newest first, by creation time then attempt (pure). */
export function newestFirst<T extends { createdAt: number; attempt: number }>(items: T[]): T[] {
  return items.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
}

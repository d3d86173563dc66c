/**
 * What the kubelet HTTP API reads from the rest of the agent: the pods it
 * runs, its health, and container logs. The server (kubelet-server.ts) is
 * pure HTTP over this interface; `runtimeLogSource` implements it over a
 * ContainerRuntime.
 */
import type { Readable } from 'node:stream';
import type { Pod } from '../../control-plane/api/types.ts';
import type { LogOptions } from '../kubelet/runtime/runtime.ts';

/** The agent's health as /healthz reports it. */
export interface Health {
  ok: boolean;
  /** Why it is unhealthy; shown in the 500 answer. */
  message?: string;
}

/** One container log request, as parsed from /containerLogs (PodLogOptions). */
export interface ContainerLogRequest extends LogOptions {
  /** The previous (terminated) instance instead of the current one. */
  previous: boolean;
  /** At most this many bytes; the server enforces it, a source may ignore it. */
  limitBytes?: number;
}

export interface KubeletApiSource {
  /** The pods bound to this node, as the agent knows them (their last known status included). */
  pods(): Pod[];
  healthy(): Health;
  /**
   * The logs of the container instance to read (the current one, or the
   * previous one when `opts.previous`) as text, stdout and stderr merged;
   * undefined when no such instance exists. A followed stream ends when
   * `opts.signal` aborts (the client went away).
   */
  containerLogs(
    pod: Pod,
    container: string,
    opts: ContainerLogRequest,
  ): Promise<Readable | undefined>;
}

/**
 * The agent's one pair of Services and Endpoints informers. The node's DNS
 * server and its service proxy both read them, so each node lists and
 * watches each resource once, not once per reader. Readers attach their
 * handlers when they are built; the owner (the agent) starts the pair once
 * every reader has attached, and the pair stops with the owner's signal.
 * A reader given no pair builds and runs its own (tests, other callers).
 */
import { once } from 'node:events';
import type { BackoffOptions } from '../control-plane/api/client/backoff.ts';
import { Informer, type ListWatcher } from '../control-plane/api/client/informer.ts';
import type { Logger } from '../control-plane/api/log.ts';
import { findResource, type ResourceInfo } from '../control-plane/api/resources.ts';
import type { Endpoints, Service } from '../control-plane/api/types.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;

export interface ServiceInformers {
  readonly services: Informer<Service>;
  readonly endpoints: Informer<Endpoints>;
}

/** A new pair over `client`, not started. */
export function newServiceInformers(
  client: ListWatcher,
  o: { logger?: Logger; backoff?: BackoffOptions } = {},
): ServiceInformers {
  const common = { client, logger: o.logger, backoff: o.backoff };
  return {
    services: new Informer<Service>({ ...common, resource: SERVICES }),
    endpoints: new Informer<Endpoints>({ ...common, resource: ENDPOINTS }),
  };
}

/** Runs both informers until `signal` aborts; resolves when both have stopped. */
export async function runServiceInformers(i: ServiceInformers, signal: AbortSignal): Promise<void> {
  await Promise.all([i.services.start(signal), i.endpoints.start(signal)]);
}

/** True once both informers have listed. */
export function serviceInformersSynced(i: ServiceInformers): boolean {
  return i.services.hasSynced() && i.endpoints.hasSynced();
}

/** A reader's informers: the pair it was given (`owned` false), or its own over `client`. */
export interface ReaderInformers {
  informers: ServiceInformers;
  /** Whether the reader runs them (they are not another owner's). */
  owned: boolean;
}

/**
 * The informers a reader (`who`, for the error) reads: `o.informers` when
 * given, else a new pair over `o.client`; throws when it has neither.
 */
export function readerInformers(
  o: { client?: ListWatcher; informers?: ServiceInformers },
  who: string,
  opts: { logger?: Logger; backoff?: BackoffOptions } = {},
): ReaderInformers {
  if (o.informers) return { informers: o.informers, owned: false };
  if (o.client) return { informers: newServiceInformers(o.client, opts), owned: true };
  throw new Error(`${who} needs a client or informers`);
}

/**
 * Runs the pair when the reader owns it, else waits for `signal` (the
 * owner runs it): either way resolves once the reader should stop.
 */
export async function runOrAwait(r: ReaderInformers, signal: AbortSignal): Promise<void> {
  if (r.owned) return runServiceInformers(r.informers, signal);
  if (!signal.aborted) await once(signal, 'abort');
}

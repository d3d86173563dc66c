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

/**
 * Runs the pair when the reader owns it (`owned`), else waits for `signal`
 * (the owner runs it): either way resolves once the reader should stop.
 */
export async function runOrAwait(
  i: ServiceInformers,
  owned: boolean,
  signal: AbortSignal,
): Promise<void> {
  if (owned) return runServiceInformers(i, signal);
  if (!signal.aborted) await once(signal, 'abort');
}

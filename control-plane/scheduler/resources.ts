/**
 * Resource amounts as the scheduler counts them (framework.Resource): cpu in
 * milli-cores, memory and ephemeral-storage in bytes, everything else
 * (extended resources such as nvidia.com/gpu, hugepages-*) by name. Pod
 * requests follow component-helpers' PodRequests: app containers summed,
 * sidecars (restartable init containers) added, the largest init step
 * taken when it is bigger, plus spec.overhead.
 */
import { quantityMilliValue, quantityValue } from '../api/quantity.ts';
import type { Container, PodSpec } from '../api/types.ts';

export interface Resources {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Other resources by name, only those with a non-zero amount; undefined when none. */
  scalars: Map<string, number> | undefined;
}

/** What a node offers: its resources and how many pods it takes. */
export interface Allocatable extends Resources {
  pods: number;
}

/** cpu request assumed for scoring when a container names none (DefaultMilliCPURequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** memory request assumed for scoring when a container names none (DefaultMemoryRequest, 200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

type QuantityMap = Readonly<Record<string, string | number>> | undefined;

/** A fresh all-zero amount. */
export function emptyResources(): Resources {
  return { milliCpu: 0, memory: 0, ephemeralStorage: 0, scalars: undefined };
}

/**
 * The amount of one named resource in the scheduler's unit (milli for cpu);
 * 0 when malformed. Absurd amounts are capped at 2^53 so sums stay finite
 * and adding then removing a pod restores a node's totals.
 */
export function amountOf(name: string, q: string | number): number {
  const v = name === 'cpu' ? quantityMilliValue(q) : quantityValue(q);
  if (v === undefined || Number.isNaN(v)) return 0;
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, v));
}

/** Adds a resource list (requests, overhead) into `into`. */
export function addList(into: Resources, list: QuantityMap): void {
  if (!list) return;
  for (const name in list) addAmount(into, name, amountOf(name, list[name] as string | number));
}

/** Adds `other` into `into` (`sign` -1 subtracts). */
export function addResources(into: Resources, other: Resources, sign = 1): void {
  into.milliCpu += sign * other.milliCpu;
  into.memory += sign * other.memory;
  into.ephemeralStorage += sign * other.ephemeralStorage;
  if (other.scalars) for (const [k, v] of other.scalars) addAmount(into, k, sign * v);
}

/** The node's allocatable (its capacity when the kubelet reported no allocatable). */
export function nodeAllocatable(status: { allocatable?: QuantityMap; capacity?: QuantityMap }) {
  const list = status.allocatable ?? status.capacity;
  const out: Allocatable = { ...emptyResources(), pods: 0 };
  if (!list) return out;
  for (const name in list) {
    const v = amountOf(name, list[name] as string | number);
    if (name === 'pods') out.pods = v;
    else addAmount(out, name, v);
  }
  return out;
}

/** The pod's effective requests (PodRequests): what the fit filter compares with a node. */
export function podRequests(spec: PodSpec): Resources {
  return aggregate(spec, (c) => {
    const r = emptyResources();
    addList(r, c.resources?.requests);
    return r;
  });
}

/**
 * cpu and memory requests with 100m / 200 MiB assumed for containers that
 * name none (NonMissingContainerRequests), for the least-allocated score,
 * so many request-less pods do not all land on one node.
 */
export function podNonZeroRequests(spec: PodSpec): { milliCpu: number; memory: number } {
  const r = aggregate(spec, (c) => {
    const out = emptyResources();
    const req = c.resources?.requests;
    addList(out, req);
    if (req?.cpu === undefined) out.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
    if (req?.memory === undefined) out.memory = DEFAULT_MEMORY_REQUEST;
    return out;
  });
  return { milliCpu: r.milliCpu, memory: r.memory };
}

function aggregate(spec: PodSpec, requestsOf: (c: Container) => Resources): Resources {
  const total = emptyResources();
  for (const c of spec.containers ?? []) addResources(total, requestsOf(c));
  // Init step i needs its own requests plus the sidecars started before it.
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of spec.initContainers ?? []) {
    const own = requestsOf(c);
    if (c.restartPolicy === 'Always') {
      addResources(total, own);
      addResources(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const step = emptyResources();
      addResources(step, own);
      addResources(step, sidecars);
      maxInto(initMax, step);
    }
  }
  maxInto(total, initMax);
  addList(total, spec.overhead);
  return total;
}

function maxInto(into: Resources, other: Resources): void {
  into.milliCpu = Math.max(into.milliCpu, other.milliCpu);
  into.memory = Math.max(into.memory, other.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, other.ephemeralStorage);
  if (other.scalars) {
    for (const [k, v] of other.scalars) {
      const cur = into.scalars?.get(k) ?? 0;
      if (v > cur) addAmount(into, k, v - cur);
    }
  }
}

function addAmount(into: Resources, name: string, v: number): void {
  switch (name) {
    case 'cpu':
      into.milliCpu += v;
      return;
    case 'memory':
      into.memory += v;
      return;
    case 'ephemeral-storage':
      into.ephemeralStorage += v;
      return;
    case 'pods':
      return;
    default: {
      if (v === 0) return;
      into.scalars ??= new Map();
      const next = (into.scalars.get(name) ?? 0) + v;
      if (next === 0) into.scalars.delete(name);
      else into.scalars.set(name, next);
    }
  }
}

/**
 * ClusterIP and NodePort allocation for Services, over two persisted
 * bitmaps. `allocate` takes what a new or changed Service needs (honouring
 * requested values, or answering 422 naming the field as Kubernetes does)
 * and returns a Claim: `rollback()` when the write fails, `commit()` after
 * it succeeds (frees what the old version held and the new one does not).
 */
import { ApiError, type StatusCause } from '../../api/errors.ts';
import type { Store } from '../../store/store.ts';
import { ipAt, ipOffset, parseCidr, parsePortRange, type IpRange, type PortRange } from './cidr.ts';
import { ipStaticBand, portStaticBand } from './bitmap.ts';
import { AllocationError, RangeRegistry } from './range-registry.ts';
import { clusterIPOf, nodePortsOf, needsClusterIP, type ServiceLike } from './service-fields.ts';

export const IP_RANGE_KEY = '/registry/ranges/serviceips';
export const PORT_RANGE_KEY = '/registry/ranges/servicenodeports';

export interface Claim {
  rollback(): Promise<void>;
  commit(): Promise<void>;
}

export class ServiceAllocator {
  readonly ipRange: IpRange;
  readonly portRange: PortRange;
  private readonly ips: RangeRegistry;
  private readonly ports: RangeRegistry;

  constructor(store: Store, serviceCIDR: string, nodePortRange: string) {
    this.ipRange = parseCidr(serviceCIDR);
    this.portRange = parsePortRange(nodePortRange);
    this.ips = new RangeRegistry(
      store,
      IP_RANGE_KEY,
      this.ipRange.cidr,
      this.ipRange.count,
      ipStaticBand(this.ipRange.count),
    );
    this.ports = new RangeRegistry(
      store,
      PORT_RANGE_KEY,
      this.portRange.text,
      this.portRange.count,
      portStaticBand(this.portRange.count),
    );
  }

  /** The first address of the range: the `kubernetes` service's ClusterIP. */
  firstIP(): string {
    return ipAt(this.ipRange, 0);
  }

  /**
   * Fills spec.clusterIP(s) and ports[].nodePort of `svc` (mutating it) with
   * what it needs beyond what `old` already holds. Throws ApiError 422 for a
   * requested value that is taken or out of range.
   */
  async allocate(svc: ServiceLike, name: string, old?: ServiceLike): Promise<Claim> {
    const took = { ips: [] as number[], ports: [] as number[] };
    const rollback = async (): Promise<void> => {
      await this.ips.release(took.ips);
      await this.ports.release(took.ports);
    };
    try {
      await this.allocateIP(svc, name, old, took.ips);
      await this.allocatePorts(svc, name, old, took.ports);
    } catch (err) {
      await rollback();
      throw err;
    }
    return {
      rollback,
      commit: async () => {
        if (old) await this.releaseUnused(old, svc);
      },
    };
  }

  /** Frees everything `svc` holds (after its deletion). */
  async release(svc: ServiceLike): Promise<void> {
    const ip = clusterIPOf(svc);
    const off = ip ? ipOffset(this.ipRange, ip) : undefined;
    if (off !== undefined) await this.ips.release([off]);
    await this.ports.release(this.portOffsets(nodePortsOf(svc)));
  }

  /** Rebuilds both bitmaps from the stored services (at start: no leak survives a crash). */
  async repair(services: readonly ServiceLike[]): Promise<void> {
    const ips = new Set<number>();
    const ports = new Set<number>();
    for (const s of services) {
      const ip = clusterIPOf(s);
      const off = ip ? ipOffset(this.ipRange, ip) : undefined;
      if (off !== undefined) ips.add(off);
      for (const o of this.portOffsets(nodePortsOf(s))) ports.add(o);
    }
    await this.ips.replaceAll(ips);
    await this.ports.replaceAll(ports);
  }

  private async allocateIP(
    svc: ServiceLike,
    name: string,
    old: ServiceLike | undefined,
    took: number[],
  ): Promise<void> {
    if (!needsClusterIP(svc)) return;
    const spec = svc.spec as Record<string, unknown>;
    const requested = clusterIPOf(svc);
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      return;
    }
    const held = old && needsClusterIP(old) ? clusterIPOf(old) : undefined;
    if (requested && requested === held) return;
    let offset: number | undefined;
    if (requested) {
      offset = ipOffset(this.ipRange, requested);
      if (offset === undefined) {
        throw invalid(
          name,
          'spec.clusterIPs',
          `[]string{"${requested}"}`,
          `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.ipRange.cidr}`,
        );
      }
    }
    try {
      offset = await this.ips.allocate(offset);
    } catch (err) {
      if (!(err instanceof AllocationError)) throw err;
      const what = requested
        ? `failed to allocate IP ${requested}: provided IP is already allocated`
        : `failed to allocate a serviceIP: range is full`;
      throw invalid(name, 'spec.clusterIPs', `[]string{"${requested ?? ''}"}`, what);
    }
    took.push(offset);
    const ip = ipAt(this.ipRange, offset);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  private async allocatePorts(
    svc: ServiceLike,
    name: string,
    old: ServiceLike | undefined,
    took: number[],
  ): Promise<void> {
    const ports = svc.spec?.ports;
    if (!Array.isArray(ports) || !needsNodePorts(svc)) return;
    const held = new Set(old && needsNodePorts(old) ? nodePortsOf(old) : []);
    for (const [i, p] of ports.entries()) {
      if (p === null || typeof p !== 'object') continue;
      const port = p as Record<string, unknown>;
      const requested =
        typeof port.nodePort === 'number' && port.nodePort !== 0 ? port.nodePort : undefined;
      if (requested !== undefined && held.has(requested)) continue;
      const field = `spec.ports[${i}].nodePort`;
      let offset: number | undefined;
      if (requested !== undefined) {
        offset = requested - this.portRange.base;
        if (offset < 0 || offset >= this.portRange.count) {
          throw invalid(
            name,
            field,
            String(requested),
            `provided port is not in the valid range. The range of valid ports is ${this.portRange.text}`,
          );
        }
      }
      try {
        offset = await this.ports.allocate(offset);
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        const what =
          requested !== undefined ? 'provided port is already allocated' : 'range is full';
        throw invalid(name, field, String(requested ?? 0), what);
      }
      took.push(offset);
      port.nodePort = this.portRange.base + offset;
    }
  }

  private async releaseUnused(old: ServiceLike, now: ServiceLike): Promise<void> {
    const oldIP = clusterIPOf(old);
    const nowIP = needsClusterIP(now) ? clusterIPOf(now) : undefined;
    if (oldIP && oldIP !== nowIP) {
      const off = ipOffset(this.ipRange, oldIP);
      if (off !== undefined) await this.ips.release([off]);
    }
    const keep = new Set(needsNodePorts(now) ? nodePortsOf(now) : []);
    await this.ports.release(this.portOffsets(nodePortsOf(old).filter((p) => !keep.has(p))));
  }

  private portOffsets(ports: readonly number[]): number[] {
    return ports
      .map((p) => p - this.portRange.base)
      .filter((o) => o >= 0 && o < this.portRange.count);
  }
}

/** NodePort and LoadBalancer services get a node port per service port. */
export function needsNodePorts(svc: ServiceLike): boolean {
  const type = svc.spec?.type;
  return type === 'NodePort' || type === 'LoadBalancer';
}

function invalid(name: string, field: string, value: string, detail: string): ApiError {
  const cause: StatusCause = {
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${value}: ${detail}`,
  };
  return ApiError.invalid('Service', name, [cause]);
}

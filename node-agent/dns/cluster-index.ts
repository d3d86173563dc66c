/**
 * ClusterIndex: the in-memory zone of the cluster domain, fed with
 * Services and Endpoints (by informers in the server, by hand in tests),
 * answering lookups from maps. It keeps answering from what it last saw
 * while the API server is away.
 *
 * What exists: the apex and `svc.<domain>`; `<ns>.svc.<domain>` while the
 * namespace has a service; every name of a service's zone. Anything else
 * under the domain is NXDOMAIN. A NODATA or NXDOMAIN answer carries the
 * zone's SOA in the authority section (RFC 2308). PTR answers cover
 * ClusterIPs and headless endpoint addresses; other reverse names are
 * not the cluster's.
 */
import { objectKey } from '../../control-plane/api/client/informer-cache.ts';
import type { Endpoints, Service } from '../../control-plane/api/types.ts';
import { RCODE, RR_TYPE, typeCode, type ResourceRecord } from './dns-message.ts';
import { canonicalName } from './dns-wire.ts';
import {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_TTL_SECONDS,
  reverseEntries,
  serviceZone,
  type ServiceZone,
} from './cluster-records.ts';

/** The index's answer to a cluster name. */
export interface ClusterAnswer {
  /** RCODE.NOERROR (with or without data) or RCODE.NXDOMAIN. */
  rcode: number;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** A CNAME target outside the cluster domain, for the server to resolve upstream and append. */
  chase?: string;
}

export interface ClusterIndexOptions {
  clusterDomain?: string;
  ttl?: number;
  /** Seconds since the epoch; the SOA serial follows changes. Default Date.now. */
  now?: () => number;
}

export class ClusterIndex {
  readonly domain: string;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly services = new Map<string, Service>();
  private readonly endpoints = new Map<string, Endpoints>();
  private readonly zones = new Map<string, ServiceZone>();
  private readonly names = new Map<string, ResourceRecord[]>();
  private readonly namespaces = new Map<string, number>();
  private reverse: Map<string, string[]> | undefined;
  private serial: number;

  constructor(opts: ClusterIndexOptions = {}) {
    this.domain = canonicalName(opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
    this.ttl = opts.ttl ?? DEFAULT_TTL_SECONDS;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.serial = this.now();
  }

  /** Adds or replaces a service. */
  setService(svc: Service): void {
    const key = objectKey(svc);
    if (!this.services.has(key)) this.countNamespace(svc.metadata.namespace ?? 'default', 1);
    this.services.set(key, svc);
    this.rebuild(key);
  }

  /** Removes a service and its names. */
  deleteService(svc: Service): void {
    const key = objectKey(svc);
    if (!this.services.delete(key)) return;
    this.countNamespace(svc.metadata.namespace ?? 'default', -1);
    this.rebuild(key);
  }

  /** Adds or replaces the Endpoints of a service. */
  setEndpoints(ep: Endpoints): void {
    this.endpoints.set(objectKey(ep), ep);
    this.rebuild(objectKey(ep));
  }

  /** Removes the Endpoints of a service. */
  deleteEndpoints(ep: Endpoints): void {
    if (this.endpoints.delete(objectKey(ep))) this.rebuild(objectKey(ep));
  }

  /** True if `name` is the cluster domain or below it (case-insensitive). */
  isClusterName(name: string): boolean {
    const n = canonicalName(name);
    return n === this.domain || n.endsWith('.' + this.domain);
  }

  /**
   * The answer for `name` and query type `qtype`, or undefined when the
   * name is not the cluster's (forward it). CNAMEs to other cluster names
   * are followed here; a CNAME leaving the domain is returned in `chase`.
   */
  lookup(name: string, qtype: number): ClusterAnswer | undefined {
    const n = canonicalName(name);
    if (n.endsWith('.in-addr.arpa')) return this.lookupReverse(n, qtype);
    if (!this.isClusterName(n)) return undefined;
    const records = this.recordsAt(n);
    if (!records) return this.negative(RCODE.NXDOMAIN);
    const cname = records.find((r) => r.data.type === 'CNAME');
    if (cname && qtype !== RR_TYPE.CNAME && cname.data.type === 'CNAME') {
      return this.followCname(cname, cname.data.target, qtype);
    }
    const answers = records.filter((r) => qtype === RR_TYPE.ANY || typeCode(r.data) === qtype);
    if (answers.length === 0) return this.negative(RCODE.NOERROR);
    return { rcode: RCODE.NOERROR, answers, authority: [], additional: this.glue(answers) };
  }

  /** The SOA record of the cluster domain, with the current serial. */
  soa(): ResourceRecord {
    const d = this.domain;
    return {
      name: d,
      ttl: this.ttl,
      data: {
        type: 'SOA',
        mname: `ns.dns.${d}`,
        rname: `hostmaster.${d}`,
        serial: this.serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  private recordsAt(n: string): ResourceRecord[] | undefined {
    if (n === this.domain) return [this.soa()];
    const rel = n.slice(0, -(this.domain.length + 1)).split('.');
    if (rel.length === 1 && rel[0] === 'svc') return [];
    if (rel.length === 2 && rel[1] === 'svc') return this.namespaces.has(rel[0]!) ? [] : undefined;
    return this.names.get(n);
  }

  private followCname(cname: ResourceRecord, target: string, qtype: number): ClusterAnswer {
    if (!this.isClusterName(target)) {
      return {
        rcode: RCODE.NOERROR,
        answers: [cname],
        authority: [],
        additional: [],
        chase: target,
      };
    }
    // One step inside the zone is enough: a service's CNAME never points at another CNAME here
    // without leaving the recursion to the client.
    const inner = this.recordsAt(target)?.filter((r) => typeCode(r.data) === qtype) ?? [];
    if (inner.length === 0) return { ...this.negative(RCODE.NOERROR), answers: [cname] };
    return { rcode: RCODE.NOERROR, answers: [cname, ...inner], authority: [], additional: [] };
  }

  // A records of the SRV targets the zone holds (RFC 2782: "additional data").
  private glue(answers: ResourceRecord[]): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (const a of answers) {
      if (a.data.type !== 'SRV' || seen.has(a.data.target)) continue;
      seen.add(a.data.target);
      out.push(...(this.names.get(a.data.target) ?? []).filter((r) => r.data.type === 'A'));
    }
    return out;
  }

  private negative(rcode: number): ClusterAnswer {
    return { rcode, answers: [], authority: [this.soa()], additional: [] };
  }

  private lookupReverse(n: string, qtype: number): ClusterAnswer | undefined {
    const octets = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (octets.length !== 4) return undefined;
    const ip = octets.reverse().join('.');
    const targets = this.reverseMap().get(ip);
    if (!targets) return undefined;
    if (qtype !== RR_TYPE.PTR && qtype !== RR_TYPE.ANY) {
      return { rcode: RCODE.NOERROR, answers: [], authority: [], additional: [] };
    }
    const answers = targets.map((target): ResourceRecord => ({
      name: n,
      ttl: this.ttl,
      data: { type: 'PTR', target },
    }));
    return { rcode: RCODE.NOERROR, answers, authority: [], additional: [] };
  }

  private reverseMap(): Map<string, string[]> {
    if (this.reverse) return this.reverse;
    const map = new Map<string, string[]>();
    for (const zone of this.zones.values()) {
      for (const [ip, name] of reverseEntries(zone)) {
        const list = map.get(ip) ?? [];
        if (!list.includes(name)) list.push(name);
        map.set(ip, list);
      }
    }
    this.reverse = map;
    return map;
  }

  private rebuild(key: string): void {
    for (const name of this.zones.get(key)?.keys() ?? []) this.names.delete(name);
    this.zones.delete(key);
    const svc = this.services.get(key);
    if (svc) {
      const zone = serviceZone(svc, this.endpoints.get(key), {
        clusterDomain: this.domain,
        ttl: this.ttl,
      });
      this.zones.set(key, zone);
      for (const [name, records] of zone) this.names.set(name, records);
    }
    this.reverse = undefined;
    this.serial = Math.max(this.serial + 1, this.now());
  }

  private countNamespace(ns: string, delta: number): void {
    const n = (this.namespaces.get(ns) ?? 0) + delta;
    if (n > 0) this.namespaces.set(ns, n);
    else this.namespaces.delete(ns);
  }
}

/**
 * The node's cluster DNS server: UDP and TCP on one address and port,
 * cluster names answered from a ClusterIndex that informers on Services
 * and Endpoints keep current (and that keeps serving while the API server
 * is away), other names forwarded to the node's upstream resolvers (from
 * /etc/resolv.conf unless given). See dns-responder.ts for what each
 * query gets.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import type { BackoffOptions } from '../../control-plane/api/client/backoff.ts';
import type { ListWatcher } from '../../control-plane/api/client/informer.ts';
import { rootLogger, type Logger } from '../../control-plane/api/log.ts';
import {
  readerInformers,
  runOrAwait,
  serviceInformersSynced,
  type ReaderInformers,
  type ServiceInformers,
} from '../service-informers.ts';
import { ClusterIndex } from './cluster-index.ts';
import { forwardQuery, parseUpstream, type Upstream } from './dns-upstream.ts';
import { respond, type ResponderDeps } from './dns-responder.ts';
import { parseResolvConf } from './resolv-conf.ts';

/** Queries answered at once; more UDP queries are dropped (the client retries). */
const MAX_IN_FLIGHT = 1024;
const MAX_TCP_CONNECTIONS = 256;
/** An idle TCP connection is closed after this (RFC 7766 suggests seconds). */
const TCP_IDLE_MS = 10_000;

export interface DnsServerOptions {
  /** The API client (ApiClient), for Services and Endpoints informers of the server's own. */
  client?: ListWatcher;
  /** Informers to read instead, run by their owner (the agent's, shared with its proxy). */
  informers?: ServiceInformers;
  /** The address to listen on, e.g. "10.96.0.10" or "127.0.0.1". */
  host: string;
  /** UDP and TCP port; 0 picks a free one for both. Default 53. */
  port?: number;
  /** Upstream resolvers ("ip" or "ip:port"); default the nameservers of `resolvConfPath`. */
  upstreams?: string[];
  /** Default /etc/resolv.conf; "" for no upstreams. */
  resolvConfPath?: string;
  /** Addresses that lead back to this server (e.g. the kube-dns ClusterIP): never upstreams. */
  selfAddresses?: readonly string[];
  /** Per upstream try. Default 2000 ms. */
  upstreamTimeoutMs?: number;
  clusterDomain?: string;
  /** Record TTL in seconds. Default 5. */
  ttl?: number;
  informerBackoff?: BackoffOptions;
  logger?: Logger;
}

export class DnsServer {
  /** Resolves once both sockets listen and both informers have listed; rejects if start fails. */
  readonly ready: Promise<void>;
  /** Resolves once both sockets listen (`port` is then known); rejects if they cannot be bound. */
  readonly listening: Promise<void>;
  readonly index: ClusterIndex;
  private readonly opts: DnsServerOptions;
  private readonly log: Logger;
  private readonly reader: ReaderInformers;
  private upstreams: Upstream[] = [];
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private boundPort = 0;
  private inFlight = 0;
  private readonly connections = new Set<Socket>();
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private resolveListening!: () => void;
  private rejectListening!: (err: Error) => void;

  constructor(opts: DnsServerOptions) {
    this.opts = opts;
    this.log = (opts.logger ?? rootLogger).child({ component: 'dns' });
    this.index = new ClusterIndex({ clusterDomain: opts.clusterDomain, ttl: opts.ttl });
    this.reader = readerInformers(opts, 'DnsServer', {
      backoff: opts.informerBackoff,
      logger: this.log,
    });
    const { services, endpoints } = this.reader.informers;
    services
      .on('add', (s) => this.index.setService(s))
      .on('update', (_, s) => this.index.setService(s))
      .on('delete', (s) => this.index.deleteService(s));
    endpoints
      .on('add', (e) => this.index.setEndpoints(e))
      .on('update', (_, e) => this.index.setEndpoints(e))
      .on('delete', (e) => this.index.deleteEndpoints(e));
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.listening = new Promise((resolve, reject) => {
      this.resolveListening = resolve;
      this.rejectListening = reject;
    });
    this.listening.catch(() => undefined);
  }

  /** The port both sockets listen on (known once listening). */
  get port(): number {
    return this.boundPort;
  }

  /**
   * Listens, runs the informers (its own; shared ones run with their
   * owner) until `signal` aborts, then closes both sockets and resolves.
   * Rejects if the address cannot be bound.
   * @example
   * const dns = new DnsServer({ client, host: '10.96.0.10' });
   * void dns.start(ac.signal);
   * await dns.ready;
   */
  async start(signal: AbortSignal): Promise<void> {
    try {
      this.upstreams = this.loadUpstreams();
      await this.listen();
    } catch (err) {
      this.rejectListening(err as Error);
      this.rejectReady(err as Error);
      throw err;
    }
    this.resolveListening();
    this.log.info('DNS server listening', {
      host: this.opts.host,
      port: this.boundPort,
      upstreams: this.upstreams.map((u) => `${u.host}:${u.port}`),
    });
    const { services, endpoints } = this.reader.informers;
    const run = runOrAwait(this.reader, signal);
    Promise.all([services.ready, endpoints.ready]).then(this.resolveReady, (err) =>
      this.rejectReady(err as Error),
    );
    await run;
    await this.close();
  }

  private deps(): ResponderDeps {
    return {
      index: this.index,
      synced: () => serviceInformersSynced(this.reader.informers),
      forward: (query, transport) =>
        forwardQuery(query, this.upstreams, {
          timeoutMs: this.opts.upstreamTimeoutMs ?? 2_000,
          tcp: transport === 'tcp',
        }),
      log: this.log,
    };
  }

  private loadUpstreams(): Upstream[] {
    let list = this.opts.upstreams;
    const path = this.opts.resolvConfPath ?? '/etc/resolv.conf';
    if (!list && path === '') list = [];
    if (!list) {
      try {
        list = parseResolvConf(readFileSync(path, 'utf8')).nameservers;
      } catch (err) {
        this.log.warn('Cannot read upstream resolvers; names outside the cluster fail', {
          path,
          err: err as Error,
          hint: 'fix the file or pass --resolv-conf',
        });
        list = [];
      }
    }
    // Forwarding to ourselves would loop each query until it times out.
    const self = { host: this.opts.host, port: this.opts.port ?? 53 };
    const leadsBack = this.opts.selfAddresses ?? [];
    return list
      .map(parseUpstream)
      .filter(
        (u) => !(u.host === self.host && u.port === self.port) && !leadsBack.includes(u.host),
      );
  }

  private async listen(): Promise<void> {
    const wanted = this.opts.port ?? 53;
    // Port 0: UDP picks, TCP must get the same number; another process may hold it, so retry.
    for (let attempt = 0; ; attempt++) {
      const udp = await this.bindUdp(wanted);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp(port);
        this.udp = udp;
        this.boundPort = port;
        return;
      } catch (err) {
        udp.close();
        if (wanted !== 0 || attempt >= 5) throw err;
      }
    }
  }

  private bindUdp(port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(isIP(this.opts.host) === 6 ? 'udp6' : 'udp4');
      sock.once('error', reject);
      sock.bind(port, this.opts.host, () => {
        sock.off('error', reject);
        sock.on('error', (err) => this.log.warn('DNS UDP socket error', { err }));
        sock.on('message', (msg, rinfo) => this.onDatagram(sock, msg, rinfo.address, rinfo.port));
        resolve(sock);
      });
    });
  }

  private bindTcp(port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((conn) => this.onConnection(conn));
      server.maxConnections = MAX_TCP_CONNECTIONS;
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.warn('DNS TCP server error', { err }));
        resolve(server);
      });
    });
  }

  private onDatagram(sock: UdpSocket, msg: Buffer, address: string, port: number): void {
    if (this.inFlight >= MAX_IN_FLIGHT) return;
    this.inFlight++;
    void respond(new Uint8Array(msg), 'udp', this.deps())
      .then((answer) => {
        if (answer) sock.send(answer, port, address, () => undefined);
      })
      .finally(() => this.inFlight--);
  }

  // RFC 7766: length-prefixed messages, several per connection, answered as each completes.
  private onConnection(conn: Socket): void {
    let buf = Buffer.alloc(0);
    this.connections.add(conn);
    conn.on('close', () => this.connections.delete(conn));
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on('error', () => undefined); // a client reset is not the server's problem
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = new Uint8Array(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        if (this.inFlight >= MAX_IN_FLIGHT) {
          conn.destroy();
          return;
        }
        this.inFlight++;
        void respond(msg, 'tcp', this.deps())
          .then((answer) => {
            if (!answer || conn.destroyed) return;
            const frame = Buffer.alloc(2 + answer.length);
            frame.writeUInt16BE(answer.length, 0);
            frame.set(answer, 2);
            conn.write(frame);
          })
          .finally(() => this.inFlight--);
      }
    });
  }

  private async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    udp?.close();
    if (tcp) {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      // Open client connections would hold close() until their idle timeout.
      for (const c of this.connections) c.destroy();
      await closed;
    }
    this.log.info('DNS server stopped', { port: this.boundPort });
  }
}

/**
 * Real etcd members for tests and benchmarks: Debian's /usr/bin/etcd (v3.4)
 * on free loopback ports, each in a temp data dir. Nothing listens beyond
 * 127.0.0.1 (client, peer and metrics URLs are all on loopback).
 *
 * Cleanup: `stop()` kills every process it started, by PID, and removes the
 * temp dirs; call it from an `after` hook. Should the test process die
 * before that, an 'exit' hook kills the members, and for a SIGKILLed test
 * process a tiny watchdog shell per member (polling the test's PID once a
 * second) kills its member and removes the temp dir.
 *
 * `startEtcd({ tls: true })` makes a throwaway CA with openssl and serves
 * https with client-certificate auth; `startProxy` gives a loopback TCP link
 * to a member that a test can cut and restore.
 *
 * @example
 *   const etcd = await startEtcd();
 *   after(() => etcd.stop());
 *   const store = await openEtcdStore({ backend: 'etcd', endpoints: etcd.endpoints });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { makeCertificates } from './etcd-tls.ts';

export const ETCD_BIN = '/usr/bin/etcd';
const START_TIMEOUT_MS = 60_000;
const START_ATTEMPTS = 3;

/** One etcd process of a cluster; killable and restartable with the same ports and data. */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** The running process's PID, undefined while stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Sends `signal` (default SIGKILL) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the member again on its data dir and waits until it is healthy. */
  restart(): Promise<void>;
  /** The tail of this member's log, for failure messages. */
  logTail(lines?: number): string;
}

/** PEM files of the test CA and of a client certificate it signed. */
export interface EtcdTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface EtcdOptions {
  /** Serve https and require client certificates signed by a throwaway CA. */
  tls?: boolean;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** The client's CA and certificate when started with `tls: true`. */
  readonly tls: EtcdTlsFiles | undefined;
  /** The client URLs of all members. */
  readonly endpoints: string[];
  /** The member that is leader now (asks each running member's status). */
  leader(): Promise<EtcdMember>;
  /** Kills every process started (members and watchdogs) and removes the temp dirs. */
  stop(): Promise<void>;
}

/** Starts a single-member etcd. */
export function startEtcd(opts: EtcdOptions = {}): Promise<EtcdCluster> {
  return startEtcdCluster(1, opts);
}

/** Starts a `size`-member etcd cluster on loopback and waits until every member is healthy. */
export async function startEtcdCluster(size: number, opts: EtcdOptions = {}): Promise<EtcdCluster> {
  let lastError: unknown;
  // Another process may take a port between our probe and etcd's bind: retry on new ports.
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const cluster = await Cluster.create(size, opts.tls === true);
    try {
      await Promise.all(cluster.members.map((m) => m.launch()));
      return cluster;
    } catch (err) {
      lastError = err;
      await cluster.stop();
    }
  }
  throw new Error(`etcd cluster of ${size} did not start after ${START_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}

// Every live PID we started, killed on exit however the test ends.
const livePids = new Set<number>();
process.on('exit', () => {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

class Cluster implements EtcdCluster {
  readonly members: Member[];
  readonly root: string;
  readonly tls: EtcdTlsFiles | undefined;

  private constructor(root: string, members: Member[], tls: EtcdTlsFiles | undefined) {
    this.root = root;
    this.members = members;
    this.tls = tls;
  }

  static async create(size: number, secure: boolean): Promise<Cluster> {
    const root = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
    const tls = secure ? makeCertificates(root) : undefined;
    const ports = await freePorts(size * 2);
    const names = Array.from({ length: size }, (_, i) => `m${i}`);
    const peer = (i: number) => `http://127.0.0.1:${ports[size + i]}`;
    const client = (i: number) => `${secure ? 'https' : 'http'}://127.0.0.1:${ports[i]}`;
    const shared = {
      root,
      initialCluster: names.map((n, i) => `${n}=${peer(i)}`).join(','),
      token: `skiff-test-${process.pid}-${ports[0]}`,
      tls: tls
        ? { ...tls, serverCert: join(root, 'server.crt'), serverKey: join(root, 'server.key') }
        : undefined,
    };
    const members = names.map((name, i) => new Member(name, client(i), peer(i), shared));
    return new Cluster(root, members, tls);
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  async leader(): Promise<EtcdMember> {
    for (let attempt = 0; attempt < 100; attempt++) {
      // Each member's status names itself (header.member_id) and the leader it follows.
      const byId = new Map<string, Member>();
      let leaderId: string | undefined;
      for (const m of this.members.filter((x) => x.running)) {
        const status = await memberStatus(m.clientUrl, this.tls).catch(() => undefined);
        if (!status) continue;
        byId.set(status.header.member_id, m);
        if (status.leader !== '0') leaderId = status.leader;
      }
      const leader = leaderId === undefined ? undefined : byId.get(leaderId);
      if (leader) return leader;
      await sleep(200);
    }
    throw new Error('no running etcd member reports a leader after 100 tries');
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.shutdown()));
    rmSync(this.root, { recursive: true, force: true });
  }
}

interface MemberShared {
  root: string;
  initialCluster: string;
  token: string;
  tls: (EtcdTlsFiles & { serverCert: string; serverKey: string }) | undefined;
}

class Member implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  private readonly shared: MemberShared;
  private readonly logFile: string;
  private readonly args: string[];
  private child: ChildProcess | undefined;
  private watchdog: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(name: string, clientUrl: string, peerUrl: string, shared: MemberShared) {
    this.name = name;
    this.shared = shared;
    this.clientUrl = clientUrl;
    this.peerUrl = peerUrl;
    this.dataDir = join(shared.root, name);
    this.logFile = join(shared.root, `${name}.log`);
    const tls = shared.tls;
    this.args = [
      `--name=${name}`,
      `--data-dir=${this.dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${shared.initialCluster}`,
      `--initial-cluster-state=new`,
      `--initial-cluster-token=${shared.token}`,
      // Metrics stay on the client URL (loopback); no extra listener anywhere.
      '--listen-metrics-urls=',
      '--logger=zap',
      '--log-outputs=stderr',
      // A little more slack than the defaults (100/1000), for a loaded 2-core machine.
      '--heartbeat-interval=200',
      '--election-timeout=2000',
      ...(tls
        ? [
            `--cert-file=${tls.serverCert}`,
            `--key-file=${tls.serverKey}`,
            `--trusted-ca-file=${tls.caFile}`,
            '--client-cert-auth',
          ]
        : []),
    ];
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Spawns the process and waits for /health. */
  async launch(): Promise<void> {
    if (this.running) throw new Error(`etcd member ${this.name} is already running`);
    const env: NodeJS.ProcessEnv = {};
    // etcd reads ETCD_* variables as flags: pass none of ours through.
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_')) env[k] = v;
    if (process.arch !== 'x64' && process.arch !== 'arm64')
      env.ETCD_UNSUPPORTED_ARCH = process.arch;
    const log = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(ETCD_BIN, this.args, { stdio: ['ignore', log, log], env });
    } finally {
      closeSync(log);
    }
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not spawn ${ETCD_BIN}`);
    livePids.add(pid);
    void this.exited.then(() => livePids.delete(pid));
    this.startWatchdog(pid);
    await this.waitHealthy(child);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child?.kill(signal);
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** Kills the member and its watchdog. */
  async shutdown(): Promise<void> {
    await this.kill();
    // The watchdog is unref'd, so its exit event may never come: kill it and move on.
    const dog = this.watchdog;
    if (dog?.pid !== undefined && dog.exitCode === null && dog.signalCode === null) {
      dog.kill('SIGKILL');
    }
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private startWatchdog(etcdPid: number): void {
    const dog = this.watchdog;
    if (dog?.pid !== undefined && dog.exitCode === null) dog.kill('SIGKILL');
    const script =
      'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; ' +
      'if ! kill -0 "$1" 2>/dev/null; then kill -9 "$2" 2>/dev/null; rm -rf "$3"; fi';
    const w = spawn(
      '/bin/sh',
      ['-c', script, 'etcd-watchdog', String(process.pid), String(etcdPid), this.shared.root],
      {
        stdio: 'ignore',
      },
    );
    if (w.pid !== undefined) {
      const wpid = w.pid;
      livePids.add(wpid);
      w.once('exit', () => livePids.delete(wpid));
    }
    // The watchdog must not keep the test process alive.
    w.unref();
    this.watchdog = w;
  }

  private async waitHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`etcd member ${this.name} exited during start:\n${this.logTail()}`);
      }
      if (await healthy(this.clientUrl, this.shared.tls)) return;
      await sleep(100);
    }
    throw new Error(
      `etcd member ${this.name} not healthy after ${START_TIMEOUT_MS} ms:\n${this.logTail()}`,
    );
  }
}

/** True when the member answers /health with {"health":"true"} (it has a leader). */
async function healthy(clientUrl: string, tls: EtcdTlsFiles | undefined): Promise<boolean> {
  try {
    const body = JSON.parse(await getText(`${clientUrl}/health`, tls)) as { health?: unknown };
    return body.health === 'true';
  } catch {
    return false;
  }
}

/** GETs a URL on a member (https with the test client certificate when `tls`). */
export async function getText(url: string, tls?: EtcdTlsFiles): Promise<string> {
  if (!tls) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return res.text();
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        ca: readFileSync(tls.caFile),
        cert: readFileSync(tls.certFile),
        key: readFileSync(tls.keyFile),
        servername: '', // no SNI for an IP address (RFC 6066)
        timeout: 5_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function memberStatus(clientUrl: string, tls: EtcdTlsFiles | undefined) {
  const client = new Etcd3({
    hosts: clientUrl,
    defaultCallOptions: () => ({ deadline: Date.now() + 2_000 }),
    ...(tls
      ? {
          credentials: {
            rootCertificate: readFileSync(tls.caFile),
            certChain: readFileSync(tls.certFile),
            privateKey: readFileSync(tls.keyFile),
          },
        }
      : {}),
  });
  try {
    return await client.maintenance.status();
  } finally {
    client.close();
  }
}

/** `count` distinct free TCP ports on 127.0.0.1 (held open together, so they differ). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const addr = s.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    return addr.port;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

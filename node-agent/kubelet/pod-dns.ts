/**
 * A pod's /etc/resolv.conf, as the kubelet's dns.Configurer forms it:
 * podResolvConf (node-agent/dns/resolv-conf.ts) from the pod's dnsPolicy
 * and dnsConfig, the cluster DNS address and domain, and the node's
 * resolv.conf; written to `<pod dir>/resolv.conf` and bind-mounted
 * read-only at /etc/resolv.conf into every container of the pod
 * (container-config.ts), as the kubelet does through the sandbox's
 * resolv.conf. Docker's own file (on a user-defined network, its embedded
 * 127.0.0.11 resolver, which knows nothing of the cluster) is then not
 * mounted: Docker leaves /etc/resolv.conf to a container that mounts it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../control-plane/api/log.ts';
import type { Pod } from '../../control-plane/api/types.ts';
import {
  formatResolvConf,
  parseResolvConf,
  podResolvConf,
  type ResolvConf,
} from '../dns/resolv-conf.ts';
import { SyncError } from './sync-error.ts';

/** The cluster DNS settings of this node (the kubelet's --cluster-dns, --cluster-domain, --resolv-conf). */
export interface PodDnsConfig {
  /** The kube-dns service address(es) pods with dnsPolicy ClusterFirst use; empty: none. */
  clusterDns: string[];
  clusterDomain: string;
  /** The node's resolv.conf: what dnsPolicy Default pods get; "" for none. */
  resolvConfPath: string;
}

/** The file's name in the pod directory. */
export const POD_RESOLV_CONF = 'resolv.conf';

/** The resolv.conf of a pod, written. */
export interface WrittenResolvConf {
  /** The host file to bind-mount at /etc/resolv.conf. */
  path: string;
  /** Limits hit (nameservers, search line): the kubelet's DNSConfigForming warnings. */
  warnings: string[];
}

export class PodDns {
  private readonly config: PodDnsConfig;
  private readonly log: Logger;
  private warnedUnreadable = false;

  constructor(opts: { config: PodDnsConfig; log: Logger }) {
    this.config = opts.config;
    this.log = opts.log;
  }

  /**
   * Writes the resolv.conf of `pod` into `podDir` (atomically, and only when
   * its text differs from what is there). Throws SyncError
   * CreateContainerConfigError for a dnsPolicy Kubernetes does not define.
   */
  async write(pod: Pod, podDir: string): Promise<WrittenResolvConf> {
    const node = await this.nodeResolvConf();
    let formed: ReturnType<typeof podResolvConf>;
    try {
      formed = podResolvConf(pod, { ...this.config, node });
    } catch (err) {
      throw new SyncError(
        'CreateContainerConfigError',
        err instanceof Error ? err.message : String(err),
      );
    }
    const path = join(podDir, POD_RESOLV_CONF);
    await writeIfChanged(path, formatResolvConf(formed.conf));
    return { path, warnings: formed.warnings };
  }

  // Read on every write, as the kubelet does: an edited node resolv.conf reaches new pods.
  private async nodeResolvConf(): Promise<ResolvConf> {
    const path = this.config.resolvConfPath;
    if (path === '') return { nameservers: [], searches: [], options: [] };
    try {
      return parseResolvConf(await readFile(path, 'utf8'));
    } catch (err) {
      if (!this.warnedUnreadable) {
        this.warnedUnreadable = true;
        this.log.warn('Cannot read the node resolv.conf; dnsPolicy Default pods get no servers', {
          path,
          err: err as Error,
          hint: 'fix the file or pass --resolv-conf',
        });
      }
      return { nameservers: [], searches: [], options: [] };
    }
  }
}

// A new file renamed into place: a container never reads half of one. Containers
// that mounted the old file keep it (the kubelet too forms it once per sandbox).
async function writeIfChanged(path: string, text: string): Promise<void> {
  const now = await readFile(path, 'utf8').catch(() => undefined);
  if (now === text) return;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}

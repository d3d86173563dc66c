/**
 * `skiff server`: opens the cluster store, starts the API server, writes
 * DIR/kubeconfig for kubectl, and runs until SIGTERM or SIGINT, then closes
 * watches, the listener and the store and exits 0. A store that is locked
 * by another server or corrupt ends the command with its message (exit 1).
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { UsageError, type Command } from '../api/command.ts';
import { rootLogger } from '../api/log.ts';
import { shutdownSignal } from '../api/shutdown-signal.ts';
import {
  DEFAULT_NODE_PORT_RANGE,
  DEFAULT_SERVICE_CIDR,
  startApiServer,
} from '../apiserver/index.ts';
import { parseCidr, parsePortRange } from '../apiserver/alloc/cidr.ts';
import { DEFAULT_LISTEN, parseListen } from '../apiserver/listen-address.ts';
import { openStore } from '../store/index.ts';
import { STORE_FLAGS, storeConfigFromFlags } from './store-flags.ts';
import { parseComponents, startControlPlaneComponents, type ComponentName } from './components.ts';

export const command: Command = {
  name: 'server',
  summary: 'Run the control plane: API server, scheduler and controllers',
  description: `
Starts the Kubernetes-compatible API server over the cluster store (embedded
SQLite in DIR/state.db by default, or an etcd cluster) and writes
DIR/kubeconfig, which kubectl uses as it is:

  kubectl --kubeconfig DIR/kubeconfig get namespaces

The scheduler and the controllers run in the same process, each under a
Lease in kube-system so that of several replicas exactly one leads. With
--components scheduler,controllers and --server URL, they run alone against
another API server.

The server listens on loopback unless --listen names another address. It has
no TLS or authentication yet: anyone who can reach the address controls the
cluster. SIGTERM or SIGINT stops it cleanly.`,
  options: {
    'data-dir': {
      type: 'string',
      placeholder: 'DIR',
      description: 'Directory for state.db (sqlite) and the kubeconfig; created if missing',
    },
    listen: {
      type: 'string',
      placeholder: 'HOST:PORT',
      description: 'Address to serve the API on (port 0 picks a free port)',
      default: DEFAULT_LISTEN,
    },
    ...STORE_FLAGS,
    'service-cidr': {
      type: 'string',
      placeholder: 'CIDR',
      description: 'Range of Service ClusterIPs (the kubernetes service gets the first address)',
      default: DEFAULT_SERVICE_CIDR,
    },
    'node-port-range': {
      type: 'string',
      placeholder: 'A-B',
      description: 'Range of Service NodePorts',
      default: DEFAULT_NODE_PORT_RANGE,
    },
    components: {
      type: 'string',
      placeholder: 'LIST',
      description: 'Comma-separated components to run: apiserver, scheduler, controllers',
      default: 'apiserver,scheduler,controllers',
    },
    'lease-duration': {
      type: 'string',
      placeholder: 'SECONDS',
      description: 'Leader-election lease of the scheduler and controllers',
      default: '15',
    },
    server: {
      type: 'string',
      placeholder: 'URL',
      description: 'API server to use when --components leaves out apiserver',
    },
  },
  examples: [
    'skiff server --data-dir /var/lib/skiff/server',
    'skiff server --data-dir /tmp/skiff --listen 127.0.0.1:0',
    'skiff server --data-dir /var/lib/skiff/server --store etcd --etcd-endpoints http://127.0.0.1:2379',
    'skiff server --components scheduler,controllers --server http://127.0.0.1:6443',
  ],
  async run(values) {
    const log = rootLogger.child({ component: 'server' });
    const { apiserver, components, leaseDurationSeconds } = componentFlags(values);
    if (!apiserver) {
      const server = values.server;
      if (typeof server !== 'string' || server === '')
        throw new UsageError('--components without apiserver needs --server URL of an API server');
      return runComponentsAlone(server, components, leaseDurationSeconds);
    }
    const dir = values['data-dir'];
    if (typeof dir !== 'string' || dir === '')
      throw new UsageError('--data-dir is required (it holds the kubeconfig)');
    const listenText = String(values.listen ?? DEFAULT_LISTEN);
    const serviceCIDR = String(values['service-cidr'] ?? DEFAULT_SERVICE_CIDR);
    const nodePortRange = String(values['node-port-range'] ?? DEFAULT_NODE_PORT_RANGE);
    let listen;
    try {
      listen = parseListen(listenText);
      parseCidr(serviceCIDR);
      parsePortRange(nodePortRange);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!listen.loopback) {
      log.warn(
        'Listening beyond loopback without TLS or authentication: anyone who can reach this address controls the cluster; TLS and authentication come in a later version',
        {
          listen: listenText,
        },
      );
    }
    const storeConfig = storeConfigFromFlags(values);
    await mkdir(dir, { recursive: true, mode: 0o700 });

    log.info('Opening the cluster store', { backend: storeConfig.backend });
    const store = await openStore(storeConfig);
    const stop = shutdownSignal();
    let api;
    try {
      log.info('Starting the API server', { listen: listenText });
      api = await startApiServer({
        store,
        listen: listenText,
        serviceCIDR,
        nodePortRange,
        logger: rootLogger.child({ component: 'apiserver' }),
      });
    } catch (err) {
      stop.dispose();
      await store.close();
      throw err;
    }
    let code = 0;
    try {
      await Promise.race([api.ready, stop.signalled]);
      if (!stop.fired) {
        const path = join(dir, 'kubeconfig');
        await writeKubeconfig(path, api.url);
        log.info('Wrote kubeconfig', { path });
        const ac = new AbortController();
        const cp =
          components.length > 0
            ? startControlPlaneComponents({
                apiUrl: api.url,
                components,
                leaseDurationSeconds,
                logger: rootLogger,
                signal: ac.signal,
              })
            : undefined;
        log.info('Server ready', {
          url: api.url,
          components: ['apiserver', ...components],
          kubectl: `kubectl --kubeconfig ${path} get namespaces`,
        });
        const signal = await stop.signalled;
        log.info('Shutting down', { signal });
        // Stop the components first: they release their Leases through the API.
        ac.abort();
        await cp?.done;
      }
    } catch (err) {
      log.error('The API server could not start', { err: err as Error });
      code = 1;
    } finally {
      stop.dispose();
      await api.close();
      await store.close();
      log.info('Stopped');
    }
    return code;
  },
};

function componentFlags(values: Record<string, unknown>): {
  apiserver: boolean;
  components: ComponentName[];
  leaseDurationSeconds: number;
} {
  const lease = Number(values['lease-duration'] ?? 15);
  if (!Number.isFinite(lease) || lease < 1)
    throw new UsageError(
      `--lease-duration must be a number of seconds >= 1, got "${String(values['lease-duration'])}"`,
    );
  try {
    return {
      ...parseComponents(String(values.components ?? 'apiserver,scheduler,controllers')),
      leaseDurationSeconds: lease,
    };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs the scheduler and/or controllers against another API server until SIGTERM/SIGINT. */
async function runComponentsAlone(
  server: string,
  components: ComponentName[],
  leaseDurationSeconds: number,
): Promise<number> {
  if (components.length === 0) throw new UsageError('--components names nothing to run');
  const stop = shutdownSignal();
  const ac = new AbortController();
  const cp = startControlPlaneComponents({
    apiUrl: server,
    components,
    leaseDurationSeconds,
    logger: rootLogger,
    signal: ac.signal,
  });
  const signal = await stop.signalled;
  rootLogger.child({ component: 'server' }).info('Shutting down', { signal });
  stop.dispose();
  ac.abort();
  await cp.done;
  return 0;
}

/** The kubeconfig kubectl uses as it is: cluster "skiff", user "admin", context "skiff". */
export function kubeconfigFor(server: string): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'skiff', cluster: { server } }],
    users: [{ name: 'admin', user: {} }],
    contexts: [{ name: 'skiff', context: { cluster: 'skiff', user: 'admin' } }],
    'current-context': 'skiff',
    preferences: {},
  });
}

async function writeKubeconfig(path: string, server: string): Promise<void> {
  // Write then rename, so kubectl never reads half a file.
  const tmp = `${path}.tmp`;
  await writeFile(tmp, kubeconfigFor(server), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

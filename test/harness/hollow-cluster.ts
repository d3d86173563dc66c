/**
 * A whole control plane in the test process, on hollow nodes: a real API
 * server over a real SQLite file (ApiFixture), the scheduler and the chosen
 * controllers under their leader elections (startControlPlaneComponents),
 * N hollow nodes, and the real kubectl pointed at it.
 *
 * @example
 *   const c = await HollowCluster.start({ nodes: 3 });
 *   after(() => c.destroy());
 *   await c.kubectl('create', 'deployment', 'web', '--image=app:1');
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ApiClient } from '../../control-plane/api/client/client.ts';
import { kubeconfigFor } from '../../control-plane/cli/server.ts';
import {
  startControlPlaneComponents,
  type ComponentName,
} from '../../control-plane/cli/components.ts';
import { controller as deployment } from '../../control-plane/controllers/deployment/index.ts';
import { controller as replicaSet } from '../../control-plane/controllers/replicaset.ts';
import type { ControllerSpec } from '../../control-plane/controllers/runtime/spec.ts';
import { startHollowNodes, type HollowNodes } from '../../control-plane/hollow/hollow-nodes.ts';
import { ApiFixture, quietLogger } from '../control-plane/api/client/api-fixture.ts';

const run = promisify(execFile);

export interface HollowClusterOptions {
  /** Hollow nodes named hollow-0 ... Default 3. */
  nodes?: number;
  /** Default scheduler and controllers. */
  components?: ComponentName[];
  /** Controllers to run. Default: ReplicaSet and Deployment. */
  controllers?: readonly ControllerSpec[];
}

export class HollowCluster {
  readonly fx: ApiFixture;
  readonly client: ApiClient;
  readonly kubeconfig: string;
  hollow: HollowNodes | undefined;
  private readonly ac = new AbortController();
  private running: Promise<void> | undefined;

  private constructor(fx: ApiFixture) {
    this.fx = fx;
    this.client = fx.client();
    this.kubeconfig = join(fx.dir, 'kubeconfig');
    writeFileSync(this.kubeconfig, kubeconfigFor(fx.url), { mode: 0o600 });
  }

  /** Starts everything; on failure stops what started and rethrows. */
  static async start(opts: HollowClusterOptions = {}): Promise<HollowCluster> {
    const c = new HollowCluster(await ApiFixture.start());
    try {
      c.running = startControlPlaneComponents({
        client: c.client,
        components: opts.components ?? ['scheduler', 'controllers'],
        controllers: opts.controllers ?? [replicaSet, deployment],
        leaseDurationSeconds: 15,
        logger: quietLogger,
        signal: c.ac.signal,
      }).done;
      const names = Array.from({ length: opts.nodes ?? 3 }, (_, i) => `hollow-${i}`);
      c.hollow = await startHollowNodes({
        client: c.client,
        names,
        logger: quietLogger,
        signal: c.ac.signal,
      });
    } catch (err) {
      await c.destroy();
      throw err;
    }
    return c;
  }

  /** Runs the real kubectl against this cluster; resolves with stdout, rejects with stderr. */
  async kubectl(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run('kubectl', ['--kubeconfig', this.kubeconfig, ...args], {
        timeout: 120_000,
      });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
    }
  }

  /** Stops components and hollow nodes, then the API server; removes the temp dir. */
  async destroy(): Promise<void> {
    this.ac.abort();
    await this.running;
    await this.hollow?.done;
    await this.fx.destroy();
  }
}

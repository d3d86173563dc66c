/**
 * What a controller test runs against: a real API server over a real
 * SQLite file (ApiFixture) and its client, plus whatever the test starts
 * on it (the controller manager, the real scheduler, hollow nodes, loops
 * of its own), all stopped by one abort.
 *
 * @example
 *   describe('Endpoints controller', () => {
 *     const f = useControllerFixture((f) => f.startControllers([endpointsController]));
 *     test('…', async () => {
 *       const ns = await f.namespace('ep');
 *       await f.client.create(PODS, pod(ns));
 *     });
 *   });
 */
import { after, before } from 'node:test';
import type { ApiClient } from '../../../control-plane/api/client/client.ts';
import { findResource, type ResourceInfo } from '../../../control-plane/api/resources.ts';
import { startControllerManager } from '../../../control-plane/controllers/manager.ts';
import type { ControllerSpec } from '../../../control-plane/controllers/runtime/spec.ts';
import {
  startHollowNodes,
  type HollowNodesOptions,
  type HollowNodes,
} from '../../../control-plane/hollow/hollow-nodes.ts';
import { startScheduler } from '../../../control-plane/scheduler/scheduler.ts';
import { ApiFixture, quietLogger } from '../api/client/api-fixture.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;

/** One API server and what runs on it; `useControllerFixture` starts and destroys it. */
export class ControllerFixture {
  private fixture: ApiFixture | undefined;
  private apiClient: ApiClient | undefined;
  private readonly ac = new AbortController();
  private readonly running: Promise<unknown>[] = [];
  private seq = 0;

  /** Aborts in `destroy()`: the signal for what the test runs itself. */
  get signal(): AbortSignal {
    return this.ac.signal;
  }

  /** The API server (for its `dir`, `url`, `kubectl`); throws before `start()`. */
  get api(): ApiFixture {
    if (!this.fixture) throw new Error('the controller fixture is not started');
    return this.fixture;
  }

  /** A client of the API server, closed by `destroy()`; throws before `start()`. */
  get client(): ApiClient {
    if (!this.apiClient) throw new Error('the controller fixture is not started');
    return this.apiClient;
  }

  /** Starts the API server and its client. */
  async start(): Promise<void> {
    this.fixture = await ApiFixture.start();
    this.apiClient = this.fixture.client();
  }

  /**
   * Runs a controller manager with `controllers` until `destroy()`; resolves
   * once its informers synced, with a function that stops this manager
   * alone (to start another, a restart).
   */
  async startControllers(controllers: readonly ControllerSpec[]): Promise<() => Promise<void>> {
    const own = new AbortController();
    const cm = startControllerManager({
      client: this.client,
      controllers,
      logger: quietLogger,
      signal: AbortSignal.any([this.signal, own.signal]),
    });
    this.running.push(cm.done);
    await cm.ready;
    return async () => {
      own.abort();
      await cm.done;
    };
  }

  /** Runs the real scheduler until `destroy()`; resolves once its informers synced. */
  async startScheduler(): Promise<void> {
    const scheduler = startScheduler({
      client: this.client,
      logger: quietLogger,
      signal: this.signal,
    });
    this.running.push(scheduler.done);
    await scheduler.ready;
  }

  /** Registers hollow nodes named `names` and runs them until `destroy()`. */
  async startHollowNodes(
    names: string[],
    opts: Pick<HollowNodesOptions, 'leaseRenewMs'> = {},
  ): Promise<HollowNodes> {
    const hollow = await startHollowNodes({
      ...opts,
      client: this.client,
      names,
      logger: quietLogger,
      signal: this.signal,
    });
    this.running.push(hollow.done);
    return hollow;
  }

  /** Has `destroy()` wait for `work`, a loop of the test's own that ends once `signal` aborts. */
  track(work: Promise<unknown>): void {
    this.running.push(work);
  }

  /** Creates a namespace of its own, `<prefix>-<n>`, and resolves with its name. */
  async namespace(prefix: string): Promise<string> {
    const name = `${prefix}-${++this.seq}`;
    await this.client.create(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
    return name;
  }

  /**
   * Aborts everything started, waits for all of it to stop, then stops the
   * API server and removes its temp dir; rethrows the first failure of what
   * ran. Safe before `start()` and twice.
   */
  async destroy(): Promise<void> {
    this.ac.abort();
    const settled = await Promise.allSettled(this.running.splice(0));
    await this.fixture?.destroy();
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * Registers the hooks of the enclosing `describe`: before its tests a
 * ControllerFixture starts and `setup` runs on it; after them it is
 * destroyed (also when setup failed). Returns the fixture, usable inside
 * the tests and hooks.
 */
export function useControllerFixture(
  setup: (f: ControllerFixture) => Promise<unknown> = async () => undefined,
): ControllerFixture {
  const f = new ControllerFixture();
  before(async () => {
    await f.start();
    await setup(f);
  });
  after(() => f.destroy());
  return f;
}

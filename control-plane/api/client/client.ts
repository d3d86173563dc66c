/**
 * ApiClient: the Kubernetes REST API as typed calls, used by the scheduler,
 * controllers, kubelet and proxy. Every call names its resource by a row of
 * the RESOURCES table; every non-2xx answer becomes an ApiError rebuilt
 * from the server's Status, so callers branch on `err.reason` alike for
 * local and remote failures. No response at all is a TransportError.
 *
 * Namespaces: get/create/update/delete use the namespace given in the
 * options, else the object's, else the client's default; list, watch and
 * deleteCollection without a namespace cover all namespaces.
 */
import { ApiError } from '../errors.ts';
import { findResource, type ResourceInfo } from '../resources.ts';
import type { KubeObject, List, Scale, WatchEvent } from '../types.ts';
import { defaultKubeconfigPath, loadKubeconfig } from './kubeconfig.ts';
import {
  PATCH_CONTENT_TYPES,
  type CallOptions,
  type ClientOptions,
  type DeleteCollectionOptions,
  type DeleteOptions,
  type DeleteOptionsBody,
  type ListOptions,
  type ObjectOptions,
  type PatchOptions,
  type RawRequest,
  type WatchOptions,
  type WriteOptions,
} from './options.ts';
import { queryString, resourcePath } from './paths.ts';
import { Transport, type HttpResponse } from './transport.ts';
import {
  bindingBody,
  deleteBody,
  evictionBody,
  listQuery,
  requireName,
  selectionQuery,
  watchQuery,
  writeQuery,
} from './requests.ts';
import { errorFromResponse, parseWarnings } from './responses.ts';
import { readWatchEvents } from './watch-stream.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const DEFAULT_PAGE = 500;

export class ApiClient {
  /** The server URL this client talks to. */
  readonly server: string;
  /** The namespace used when a call and its object name none. */
  readonly namespace: string;
  private readonly transport: Transport;
  private readonly opts: ClientOptions;

  constructor(opts: ClientOptions) {
    this.transport = new Transport(opts);
    this.server = opts.server;
    this.namespace = opts.namespace ?? 'default';
    this.opts = opts;
  }

  /**
   * A client for a kubeconfig file's current context (or `overrides.context`).
   * @example const client = ApiClient.fromKubeconfig('/var/lib/skiff/kubeconfig');
   */
  static fromKubeconfig(
    path: string = defaultKubeconfigPath(),
    overrides: Partial<ClientOptions> & { context?: string } = {},
  ): ApiClient {
    const { context, ...rest } = overrides;
    const settings = loadKubeconfig(path, context === undefined ? {} : { context });
    return new ApiClient({ ...settings, ...rest });
  }

  /** One object; ApiError NotFound when it does not exist. */
  get<T extends KubeObject = KubeObject>(
    r: ResourceInfo,
    name: string,
    opts: ObjectOptions = {},
  ): Promise<T> {
    return this.call('GET', resourcePath(r, this.ns(r, opts.namespace), name), opts);
  }

  /** One page of a collection (everything when no limit is given). */
  list<T extends KubeObject = KubeObject>(
    r: ResourceInfo,
    opts: ListOptions = {},
  ): Promise<List<T>> {
    return this.call('GET', resourcePath(r, opts.namespace) + listQuery(opts), opts);
  }

  /**
   * The whole collection read in pages of `limit` (default 500) at one
   * resourceVersion, the first page's. When a continue token expires (410)
   * part-way, it lists again in one request, as client-go's pager does.
   */
  async listAll<T extends KubeObject = KubeObject>(
    r: ResourceInfo,
    opts: ListOptions = {},
  ): Promise<List<T>> {
    const limit = opts.limit || DEFAULT_PAGE;
    const first = await this.list<T>(r, { ...opts, limit, continue: undefined });
    const items = [...first.items];
    let token = first.metadata?.continue;
    while (token) {
      let page: List<T>;
      try {
        page = await this.list<T>(r, { ...opts, limit, continue: token });
      } catch (err) {
        if (err instanceof ApiError && err.code === 410) {
          return this.list<T>(r, { ...opts, limit: 0, continue: undefined });
        }
        throw err;
      }
      items.push(...page.items);
      const next = page.metadata?.continue;
      if (next === token) throw new Error(`list ${r.plural}: the server repeated a continue token`);
      token = next;
    }
    const metadata = { ...first.metadata };
    delete metadata.continue;
    delete metadata.remainingItemCount;
    return { ...first, metadata, items };
  }

  /** Creates `obj`; resolves with what the server stored (uid, resourceVersion, defaults). */
  create<T extends KubeObject>(r: ResourceInfo, obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = this.ns(r, opts.namespace ?? obj.metadata?.namespace);
    return this.call('POST', resourcePath(r, ns) + writeQuery(opts), opts, obj);
  }

  /**
   * Replaces `obj` (PUT). With metadata.resourceVersion set, the write
   * fails with 409 Conflict if the object changed since it was read.
   */
  update<T extends KubeObject>(r: ResourceInfo, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(r, obj, undefined, opts);
  }

  /** Replaces the status of `obj` (PUT .../status); spec changes in `obj` are ignored by the server. */
  updateStatus<T extends KubeObject>(r: ResourceInfo, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(r, obj, 'status', opts);
  }

  /** Patches the object (or `opts.subresource`) with a patch of `opts.type`. */
  patch<T extends KubeObject = KubeObject>(
    r: ResourceInfo,
    name: string,
    patch: unknown,
    opts: PatchOptions,
  ): Promise<T> {
    const path = resourcePath(r, this.ns(r, opts.namespace), name, opts.subresource);
    const query = writeQuery(opts, opts.force === undefined ? {} : { force: opts.force });
    return this.call('PATCH', path + query, opts, patch, PATCH_CONTENT_TYPES[opts.type]);
  }

  /**
   * Deletes one object. Resolves with the server's answer: the object
   * itself while finalizers or a grace period keep it, else a Status.
   */
  delete(r: ResourceInfo, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const path = resourcePath(r, this.ns(r, opts.namespace), name);
    return this.call('DELETE', path, opts, deleteBody(opts));
  }

  /** Deletes every object of a collection matching the selectors. */
  deleteCollection(r: ResourceInfo, opts: DeleteCollectionOptions = {}): Promise<unknown> {
    const path = resourcePath(r, opts.namespace) + selectionQuery(opts);
    return this.call('DELETE', path, opts, deleteBody(opts));
  }

  /** Assigns a pod to a node (POST pods/binding), as the scheduler does. */
  async bind(
    pod: { name: string; namespace?: string; uid?: string },
    nodeName: string,
    opts: CallOptions = {},
  ): Promise<void> {
    const namespace = this.ns(PODS, pod.namespace) as string;
    const binding = bindingBody(pod, namespace, nodeName);
    await this.call('POST', resourcePath(PODS, namespace, pod.name, 'binding'), opts, binding);
  }

  /** Evicts a pod (POST pods/eviction); 429 TooManyRequests when a disruption budget forbids it. */
  async evict(
    pod: { name: string; namespace?: string },
    opts: CallOptions & DeleteOptionsBody = {},
  ): Promise<void> {
    const namespace = this.ns(PODS, pod.namespace) as string;
    const eviction = evictionBody(pod.name, namespace, opts);
    await this.call('POST', resourcePath(PODS, namespace, pod.name, 'eviction'), opts, eviction);
  }

  /** The autoscaling/v1 Scale of a deployment or replica set. */
  getScale(r: ResourceInfo, name: string, opts: ObjectOptions = {}): Promise<Scale> {
    return this.call('GET', resourcePath(r, this.ns(r, opts.namespace), name, 'scale'), opts);
  }

  /** Sets spec.replicas through the scale subresource. */
  updateScale(r: ResourceInfo, scale: Scale, opts: WriteOptions = {}): Promise<Scale> {
    const ns = this.ns(r, opts.namespace ?? scale.metadata?.namespace);
    const path = resourcePath(r, ns, requireName(r, scale), 'scale') + writeQuery(opts);
    return this.call('PUT', path, opts, scale);
  }

  /**
   * A watch stream's events in order. The iteration ends normally when the
   * server closes the stream (its timeout) or `signal` aborts, and throws
   * the ApiError of an ERROR event (410 Expired: relist, then watch again
   * from the list's resourceVersion) or a TransportError.
   */
  async *watch<T extends KubeObject = KubeObject>(
    r: ResourceInfo,
    opts: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    const path = resourcePath(r, opts.namespace) + watchQuery(opts);
    if (opts.signal?.aborted) return;
    const req = { method: 'GET', path, headers: this.headers(), signal: opts.signal };
    let res;
    try {
      res = await this.transport.open({ ...req, idleTimeoutMs: opts.idleTimeoutMs });
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    try {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        const body = Buffer.concat(chunks);
        throw this.errorOf('GET', path, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
        });
      }
      for await (const ev of readWatchEvents(res, this.transport.urlOf(path))) {
        yield ev as WatchEvent<T>;
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    } finally {
      res.destroy();
    }
  }

  /**
   * Any API call: JSON in and out (text when the answer is not JSON).
   * Non-2xx answers throw ApiError.
   */
  async request<R = unknown>(req: RawRequest): Promise<R> {
    const path = req.path + queryString(req.query ?? {});
    return this.call(req.method, path, req, req.body, req.contentType);
  }

  /** Closes kept-alive connections. Open watches end when their signals abort. */
  close(): void {
    this.transport.close();
  }

  private async call<R>(
    method: string,
    path: string,
    opts: CallOptions,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<R> {
    const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    const res = await this.transport.send({
      method,
      path,
      headers:
        text === undefined ? this.headers() : { ...this.headers(), 'Content-Type': contentType },
      body: text,
      timeoutMs: opts.timeoutMs ?? this.opts.timeoutMs ?? 30_000,
      signal: opts.signal,
    });
    this.reportWarnings(res);
    if (res.status < 200 || res.status > 299) throw this.errorOf(method, path, res);
    const raw = res.body.toString('utf8');
    const type = String(res.headers['content-type'] ?? '');
    if (!type.includes('json')) return raw as R;
    try {
      return JSON.parse(raw) as R;
    } catch (err) {
      throw ApiError.internal(
        `${method} ${this.transport.urlOf(path)}: response is not valid JSON`,
        err,
      );
    }
  }

  private errorOf(method: string, path: string, res: HttpResponse): ApiError {
    return errorFromResponse(method, this.transport.urlOf(path), res);
  }

  private reportWarnings(res: HttpResponse): void {
    const header = res.headers.warning;
    if (!header || !this.opts.onWarning) return;
    for (const w of parseWarnings(header)) this.opts.onWarning(w);
  }

  private headers(): Record<string, string> {
    return { 'User-Agent': this.opts.userAgent ?? 'skiff-client' };
  }

  private put<T extends KubeObject>(
    r: ResourceInfo,
    obj: T,
    subresource: string | undefined,
    opts: WriteOptions,
  ): Promise<T> {
    const ns = this.ns(r, opts.namespace ?? obj.metadata?.namespace);
    const path = resourcePath(r, ns, requireName(r, obj), subresource) + writeQuery(opts);
    return this.call('PUT', path, opts, obj);
  }

  private ns(r: ResourceInfo, namespace: string | undefined): string | undefined {
    return r.namespaced ? namespace || this.namespace : undefined;
  }
}

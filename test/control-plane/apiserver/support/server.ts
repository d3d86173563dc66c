/**
 * An API server started in-process on 127.0.0.1, port 0, over a real SQLite
 * store in a temp dir, with small HTTP helpers. `close()` stops the server,
 * closes the store and removes the dir (call it in `after`, it is safe to
 * call twice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../../control-plane/api/log.ts';
import {
  startApiServer,
  type ApiServer,
  type ApiServerOptions,
} from '../../../../control-plane/apiserver/index.ts';
import { openStore } from '../../../../control-plane/store/index.ts';
import type { Store } from '../../../../control-plane/store/store.ts';

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text (read it with `at` from json.ts). */
  body: unknown;
  text: string;
}

export interface TestServer {
  url: string;
  api: ApiServer;
  store: Store;
  dir: string;
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
  put(path: string, body: unknown): Promise<Reply>;
  patch(path: string, body: unknown, type?: string): Promise<Reply>;
  del(path: string, body?: unknown): Promise<Reply>;
  /** Stops the server and store; the data dir stays until `close()`. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export type TestServerOptions = Partial<Omit<ApiServerOptions, 'store'>> & {
  /** Reuse this data dir (restart tests); a new temp dir otherwise. */
  dir?: string;
};

export const quietLogger = () => createLogger({}, { level: 'error' });

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'skiff-apiserver-test-'));
  const store = await openStore({
    backend: 'sqlite',
    path: join(dir, 'state.db'),
    logger: quietLogger(),
  });
  let api: ApiServer;
  try {
    api = await startApiServer({ listen: '127.0.0.1:0', logger: quietLogger(), ...opts, store });
    await api.ready;
  } catch (err) {
    await store.close();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await api.close();
    await store.close();
  };
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body =
        typeof body === 'string' || body instanceof Uint8Array
          ? (body as string)
          : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(api.url + path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
  return {
    url: api.url,
    api,
    store,
    dir,
    request,
    get: (path, headers) => request('GET', path, undefined, headers),
    post: (path, body, headers) => request('POST', path, body, headers),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body, type = 'application/merge-patch+json') =>
      request('PATCH', path, body, { 'content-type': type }),
    del: (path, body) => request('DELETE', path, body),
    stop,
    close: async () => {
      await stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal valid pod. */
export function pod(
  name: string,
  extra: { labels?: Record<string, string>; nodeName?: string } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      containers: [{ name: 'c', image: 'busybox:1.36' }],
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    },
  };
}

/** A minimal ConfigMap. */
export function configMap(
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(labels ? { labels } : {}) },
    data,
  };
}

/**
 * Builds the etcd3 client from the store configuration: endpoints, TLS
 * client certificate, a deadline on every request, and gRPC keepalive so a
 * dead connection is noticed even when no request is in flight.
 */
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import { StoreError } from '../errors.ts';
import type { EtcdStoreConfig } from '../index.ts';
import { messageOf } from './etcd-errors.ts';

/** Deadline of one unary etcd request (etcd itself gives up on a write after ~7 s). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** Checks the endpoint list: at least one http(s) URL, all of one scheme. */
export function validateEndpoints(endpoints: unknown): string[] {
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw new StoreError(
      'Invalid',
      'etcd endpoints must be a non-empty list of URLs such as http://127.0.0.1:2379',
    );
  }
  const out: string[] = [];
  for (const e of endpoints) {
    if (typeof e !== 'string' || !/^https?:\/\/[^/]+\/?$/.test(e)) {
      throw new StoreError(
        'Invalid',
        `etcd endpoint ${JSON.stringify(e)} is not a URL like http://127.0.0.1:2379 or https://etcd-1:2379`,
      );
    }
    out.push(e.replace(/\/$/, ''));
  }
  const secure = out.filter((e) => e.startsWith('https:')).length;
  if (secure !== 0 && secure !== out.length) {
    throw new StoreError('Invalid', `etcd endpoints mix http and https: ${out.join(', ')}`);
  }
  return out;
}

/** The etcd3 options for `cfg` (reads the TLS files now, so a bad path fails at open). */
export function clientOptions(cfg: EtcdStoreConfig, endpoints: string[]): IOptions {
  const opts: IOptions = {
    hosts: endpoints,
    // Streams (watch) have no deadline; every other call gets one, so a hung
    // member turns into 'Unavailable' instead of a request that never ends.
    defaultCallOptions: (ctx) =>
      ctx.isStream ? {} : { deadline: Date.now() + REQUEST_TIMEOUT_MS },
    grpcOptions: {
      // Keepalive as the Kubernetes API server sets it for etcd (30 s / 10 s).
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      // Lists and watch history batches can exceed gRPC's default 4 MiB.
      'grpc.max_receive_message_length': 2 ** 31 - 1,
      'grpc.max_send_message_length': 2 ** 31 - 1,
    },
  };
  const tls = cfg.tls;
  if (tls && (tls.caFile || tls.certFile || tls.keyFile)) {
    if (!tls.caFile) {
      throw new StoreError('Invalid', 'etcd tls.caFile is required when TLS is configured');
    }
    if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
      throw new StoreError(
        'Invalid',
        'etcd tls.certFile and tls.keyFile must be given together (the client certificate and its key)',
      );
    }
    opts.credentials = {
      rootCertificate: readTlsFile(tls.caFile, 'CA certificate'),
      ...(tls.certFile ? { certChain: readTlsFile(tls.certFile, 'client certificate') } : {}),
      ...(tls.keyFile ? { privateKey: readTlsFile(tls.keyFile, 'client key') } : {}),
    };
  }
  return opts;
}

/** A new etcd3 client for `cfg`. */
export function createEtcdClient(cfg: EtcdStoreConfig, endpoints: string[]): Etcd3 {
  return new Etcd3(clientOptions(cfg, endpoints));
}

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new StoreError('Invalid', `cannot read the etcd ${what} ${path}: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

/**
 * The --listen address: "HOST:PORT" with an IP address (or localhost) as
 * HOST, "[::1]:6443" for IPv6. Wildcard and non-loopback addresses are
 * allowed only when given explicitly, and are reported so the caller can
 * warn that TLS and authentication come later.
 */
import { isIP } from 'node:net';

export const DEFAULT_LISTEN = '127.0.0.1:6443';

export interface ListenAddress {
  host: string;
  port: number;
  /** True for 127.0.0.0/8 and ::1. */
  loopback: boolean;
  /** True for 0.0.0.0 and ::. */
  wildcard: boolean;
}

export function parseListen(text: string): ListenAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const rawHost = m?.[1];
  const port = m ? Number(m[2]) : NaN;
  const host = rawHost === 'localhost' ? '127.0.0.1' : rawHost;
  if (host === undefined || isIP(host) === 0 || !(port >= 0 && port <= 65535)) {
    throw new Error(
      `listen address "${text}" must be IP:PORT (e.g. 127.0.0.1:6443 or [::1]:6443; port 0 picks a free port)`,
    );
  }
  return {
    host,
    port,
    loopback: host.startsWith('127.') || host === '::1',
    wildcard: host === '0.0.0.0' || host === '::',
  };
}

/** The address clients should use: a wildcard listener is reached on loopback. */
export function clientHost(a: ListenAddress): string {
  if (a.host === '0.0.0.0') return '127.0.0.1';
  if (a.host === '::') return '::1';
  return a.host;
}

/** "host:port" with IPv6 hosts in brackets. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

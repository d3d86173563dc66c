/**
 * Reading answers: the ApiError of a non-2xx response (from its Status
 * body, or a message quoting the body when it is not a Status) and the
 * texts of Warning headers.
 */
import { ApiError } from '../errors.ts';
import type { HttpResponse } from './transport.ts';

/** The ApiError for a non-2xx response to `method url`. */
export function errorFromResponse(method: string, url: string, res: HttpResponse): ApiError {
  const raw = res.body.toString('utf8');
  let status: unknown;
  try {
    status = JSON.parse(raw);
  } catch {
    status = undefined;
  }
  if (isStatus(status)) return ApiError.fromStatus(status, res.status);
  const detail = raw.trim().slice(0, 300);
  const message = `${method} ${url}: HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
  return ApiError.fromStatus({ message }, res.status);
}

/**
 * The texts of RFC 7234 Warning header values as Kubernetes sends them
 * (`299 - "unknown field \"spec.foo\""`), one per warning.
 */
export function parseWarnings(header: string | string[]): string[] {
  const values = Array.isArray(header) ? header : [header];
  const out: string[] = [];
  for (const v of values) {
    for (const m of v.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) {
      out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
    }
  }
  return out;
}

function isStatus(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

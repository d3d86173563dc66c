/**
 * The query of /containerLogs/{namespace}/{pod}/{container}, read the way
 * the kubelet reads PodLogOptions. The API server has validated it already
 * (Kubernetes' ValidatePodLogOptions); here malformed values are a 400.
 */
import { ApiError } from '../../control-plane/api/errors.ts';
import type { ContainerLogRequest } from './api-source.ts';

/**
 * Kubernetes' query bool (Convert_Slice_string_To_bool): absent is false,
 * "0" and "false" (any case) are false, anything else is true.
 */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return v !== '0' && v.toLowerCase() !== 'false';
}

function queryInt(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) {
    throw ApiError.badRequest(
      `invalid value for query parameter ${name}: "${v}" (expected an integer >= ${min})`,
    );
  }
  return Number(v);
}

/** The log options of a /containerLogs query; throws ApiError 400 for a malformed value. */
export function parseLogRequest(q: URLSearchParams): ContainerLogRequest {
  const out: ContainerLogRequest = {
    follow: queryBool(q, 'follow'),
    timestamps: queryBool(q, 'timestamps'),
    previous: queryBool(q, 'previous'),
  };
  const tailLines = queryInt(q, 'tailLines', 0);
  const sinceSeconds = queryInt(q, 'sinceSeconds', 1);
  const limitBytes = queryInt(q, 'limitBytes', 1);
  const sinceTime = q.get('sinceTime') || undefined;
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) {
    throw ApiError.badRequest(
      `invalid value for query parameter sinceTime: "${sinceTime}" (expected an RFC 3339 time)`,
    );
  }
  if (sinceTime !== undefined && sinceSeconds !== undefined) {
    throw ApiError.badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  }
  if (tailLines !== undefined) out.tailLines = tailLines;
  if (sinceSeconds !== undefined) out.sinceSeconds = sinceSeconds;
  if (sinceTime !== undefined) out.sinceTime = sinceTime;
  if (limitBytes !== undefined) out.limitBytes = limitBytes;
  return out;
}

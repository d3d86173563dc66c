/**
 * Writing the kubelet API's answers on a plain node:http response: JSON
 * bodies, text, and errors as metav1.Status with the matching code.
 */
import type { ServerResponse } from 'node:http';
import { isApiError, type Status } from '../../control-plane/api/errors.ts';

/** Writes `body` as JSON with `code`. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Writes plain text with `code`. */
export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * A failure Status. `reason` is '' for codes metav1 has no reason for
 * (501: clients then show the message alone).
 */
export function failureStatus(code: number, reason: Status['reason'], message: string): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

/** Answers `err` as a Status: an ApiError with its own code, anything else a 500. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (isApiError(err)) return sendJson(res, err.code, err.toStatus());
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, 500, failureStatus(500, 'InternalError', message));
}

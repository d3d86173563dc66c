/**
 * metav1.Status bodies for successful answers (delete, binding, eviction).
 * Failures are ApiError.toStatus().
 */
import type { Status } from '../../api/errors.ts';

/** `{kind: Status, status: Success}` with optional details and code. */
export function successStatus(details?: Status['details'], code?: number): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    ...(code !== undefined ? { code } : {}),
  };
}

/**
 * The errors a PATCH can fail with, worded and coded as the Kubernetes API
 * server words and codes them (k8s.io/apimachinery/pkg/util/mergepatch and
 * apiserver/pkg/endpoints/handlers/patch.go).
 */
import { ApiError } from '../../api/errors.ts';
import { goFormatValue, goType } from './go-values.ts';

/** mergepatch's fixed error messages. */
export const MERGEPATCH = {
  badJSONDoc: 'invalid JSON document',
  noListOfLists: 'lists of lists are not supported',
  badPatchFormatForPrimitiveList: 'invalid patch format of primitive list',
  badPatchFormatForRetainKeys: 'invalid patch format of retainKeys',
  badPatchFormatForSetElementOrderList: 'invalid patch format of setElementOrder list',
  patchContentNotMatchRetainKeys: "patch content doesn't match retainKeys list",
  unsupportedStrategicMergePatchFormat: 'strategic merge patch format is not supported',
} as const;

const BAD_REQUEST: ReadonlySet<string> = new Set([
  MERGEPATCH.badJSONDoc,
  MERGEPATCH.badPatchFormatForPrimitiveList,
  MERGEPATCH.badPatchFormatForRetainKeys,
  MERGEPATCH.badPatchFormatForSetElementOrderList,
  MERGEPATCH.unsupportedStrategicMergePatchFormat,
]);
const UNPROCESSABLE: ReadonlySet<string> = new Set([
  MERGEPATCH.noListOfLists,
  MERGEPATCH.patchContentNotMatchRetainKeys,
]);

/**
 * A strategic merge failure as interpretStrategicMergePatchError maps it:
 * format errors are 400, lists of lists and retainKeys mismatches 422. Every
 * other message (a missing merge key, a wrong element type...) is a fault in
 * the patch too: Kubernetes answers it with a 500, but skiff never answers
 * bad input with a 5xx, so it is a 422 naming the `patch` field and keeping
 * Kubernetes' message ("map: map[...] does not contain declared merge key: name").
 */
export function strategicError(message: string): ApiError {
  if (BAD_REQUEST.has(message)) return ApiError.badRequest(message);
  if (UNPROCESSABLE.has(message)) return unprocessable(message);
  return new ApiError('Invalid', `the patch is invalid: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
  });
}

/**
 * 422 as errors.NewGenericServerResponse builds it: a fixed message and the
 * real reason in details.causes (kubectl prints "The request is invalid: the
 * server rejected our request due to an error in our request").
 */
export function unprocessable(message: string): ApiError {
  return new ApiError('Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message, field: '' }],
  });
}

/** mergepatch.ErrNoMergeKey. */
export function noMergeKey(m: unknown, key: string): ApiError {
  return strategicError(`map: ${goFormatValue(m)} does not contain declared merge key: ${key}`);
}

/** mergepatch.ErrBadArgType: the Go types of what was expected and what came. */
export function badArgType(expected: string, actual: unknown): ApiError {
  return strategicError(`expected a ${expected}, but received a ${goType(actual)}`);
}

/** mergepatch.ErrBadPatchType. */
export function badPatchType(directive: unknown, m: unknown): ApiError {
  return strategicError(
    `unknown patch type: ${goFormatValue(directive)} in map: ${goFormatValue(m)}`,
  );
}

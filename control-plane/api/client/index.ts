/**
 * The API client every component uses: ApiClient for calls, Informer for
 * a watched local cache, retryOnConflict/withRetry for writes. Imports
 * nothing of control-plane/ outside control-plane/api/, so the node agent
 * can use it.
 */
export { ApiClient } from './client.ts';
export { errorFromResponse, parseWarnings } from './responses.ts';
export { bindingBody, deleteBody, evictionBody } from './requests.ts';
export { Informer, type InformerOptions, type ListWatcher } from './informer.ts';
export { ObjectCache, objectKey, type Delta } from './informer-cache.ts';
export {
  KubeconfigError,
  defaultKubeconfigPath,
  loadKubeconfig,
  parseKubeconfig,
  type KubeconfigSettings,
} from './kubeconfig.ts';
export type * from './options.ts';
export { PATCH_CONTENT_TYPES } from './options.ts';
export { resourcePath, queryString, selectorText, type SelectorInput } from './paths.ts';
export {
  DEFAULT_CONFLICT_RETRY,
  DEFAULT_TRANSIENT_RETRY,
  isConflict,
  isTransientError,
  retryOnConflict,
  withRetry,
  type RetryOptions,
} from './retry.ts';
export { Backoff, sleep, type BackoffOptions } from './backoff.ts';
export { TransportError, type ConnectionSettings } from './transport.ts';
export { LineSplitter, parseWatchLine, readWatchEvents } from './watch-stream.ts';

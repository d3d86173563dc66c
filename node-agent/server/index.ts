/**
 * The kubelet HTTP API of the node agent (see README.md): the server, the
 * interface it reads from, and that interface over a ContainerRuntime.
 */
export type { ContainerLogRequest, Health, KubeletApiSource } from './api-source.ts';
export {
  DEFAULT_KUBELET_PORT,
  startKubeletServer,
  type KubeletServer,
  type KubeletServerOptions,
} from './kubelet-server.ts';
export {
  pickLogInstance,
  runtimeLogSource,
  type ContainerLogSource,
} from './runtime-log-source.ts';

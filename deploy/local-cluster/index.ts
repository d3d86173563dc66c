/**
 * The local multi-node cluster's building blocks, for tests and for
 * `skiff up`/`skiff down`. See README.md in this folder.
 */
import { createLocalNodes, type LocalNodes, type LocalNodesOptions } from './cluster-nodes.ts';

export { createLocalNodes } from './cluster-nodes.ts';
export type { LocalNode, LocalNodes, LocalNodesOptions } from './cluster-nodes.ts';
export { findLeftovers, removeLocalNodes } from './teardown.ts';
export { ECHO_IMAGE, PAUSE_IMAGE } from './images/sample-images.ts';
export { DOCKER_API_VERSION } from './node-dockerd.ts';
export { execRunner } from './command-runner.ts';
export type { CommandRunner } from './command-runner.ts';

/**
 * `createLocalNodes` for a test: leftovers of an earlier crashed run with the
 * same prefix are removed first. Give each test file its own prefix (and a
 * data dir of its own), so tests never touch each other's or `skiff up`'s nodes.
 */
export function createTestNodes(opts: LocalNodesOptions): Promise<LocalNodes> {
  return createLocalNodes({ removeLeftovers: true, ...opts });
}

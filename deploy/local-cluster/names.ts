/**
 * The names of everything the local cluster creates on the host, derived from
 * one prefix (`skiff` for `skiff up`, something like `skifft` for a test).
 * Cleanup finds leftovers by these names, so they are the ownership rule: a
 * prefix never matches another prefix's objects, because every name is the
 * prefix followed by a fixed separator (`-` or `br`), and a prefix itself is
 * only lowercase letters and digits.
 */

/** The prefix of `skiff up`'s cluster. */
export const DEFAULT_PREFIX = 'skiff';
/** Linux interface names are at most 15 bytes. */
const IFNAME_MAX = 15;
const PREFIX_RE = /^[a-z][a-z0-9]{1,7}$/;
const NODE_RE = /^[a-z0-9]{1,6}$/;

/** Throws unless `prefix` is 2-8 lowercase letters/digits starting with a letter. */
export function checkPrefix(prefix: string): void {
  if (!PREFIX_RE.test(prefix)) {
    throw new Error(
      `invalid local-cluster prefix "${prefix}": use 2-8 lowercase letters or digits, starting with a letter (e.g. "skiff")`,
    );
  }
}

/** Throws unless `node` is 1-6 lowercase letters/digits (it becomes part of interface names). */
export function checkNodeName(node: string): void {
  if (!NODE_RE.test(node)) {
    throw new Error(`invalid node name "${node}": use 1-6 lowercase letters or digits (e.g. "n1")`);
  }
}

/** The host bridge joining all nodes, e.g. `skiffbr0`. */
export function bridgeName(prefix: string): string {
  return fitIfname(`${prefix}br0`);
}

/** The iptables chain in the host's filter table, e.g. `SKIFF-HOST-FWD`. */
export function forwardChainName(prefix: string): string {
  return `${prefix.toUpperCase()}-HOST-FWD`;
}

/** The prefix of every per-node name: network namespace, host veth end, cgroup parent. */
export function nodeNamePrefix(prefix: string): string {
  return `${prefix}-`;
}

/** A node's network namespace (`/run/netns/<name>`), also its host veth and cgroup parent. */
export function nodeNetnsName(prefix: string, node: string): string {
  checkNodeName(node);
  return fitIfname(`${nodeNamePrefix(prefix)}${node}`);
}

function fitIfname(name: string): string {
  if (name.length > IFNAME_MAX) {
    throw new Error(`interface name "${name}" is longer than ${IFNAME_MAX} characters`);
  }
  return name;
}

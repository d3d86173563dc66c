/**
 * Reading a test node's iptables for the proxy resilience suite: the
 * backend skiff's proxy writes to, a snapshot of the tables it writes
 * (filter and nat) as iptables-save prints them with only the counters and
 * the "# Generated/Completed" lines dropped, and the proxy's structured
 * "Synced iptables rules" log lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalNode } from '../../../deploy/local-cluster/index.ts';
import { CANARY_CHAIN, SERVICES_CHAIN } from '../../../node-agent/proxy/chain-names.ts';
import { BACKEND_COMMANDS, type Backend } from '../../../node-agent/proxy/iptables.ts';

/** The iptables backend holding skiff's canary chain in the node (the proxy's choice). */
export async function proxyBackend(node: LocalNode): Promise<Backend> {
  for (const backend of ['nft', 'legacy'] as const) {
    const r = await node.run(BACKEND_COMMANDS[backend].save, ['-t', 'nat']);
    if (r.code === 0 && r.stdout.includes(`:${CANARY_CHAIN} `)) return backend;
  }
  assert.fail(`no ${CANARY_CHAIN} chain in node ${node.name}: the proxy has not synced there`);
}

/**
 * iptables-save text without what changes by itself: the header and
 * footer comment lines (they carry a timestamp) and the packet/byte
 * counters of the chain lines. Everything else is kept byte for byte.
 */
export function withoutCounters(saved: string): string {
  return saved
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => (line.startsWith(':') ? line.replace(/ \[\d+:\d+\]$/, '') : line))
    .join('\n');
}

/** The node's filter and nat tables (withoutCounters), as one text. */
export async function ruleSnapshot(node: LocalNode, backend: Backend): Promise<string> {
  const out: string[] = [];
  for (const table of ['filter', 'nat']) {
    const r = await node.run(BACKEND_COMMANDS[backend].save, ['-t', table]);
    assert.equal(r.code, 0, `iptables-save -t ${table} in ${node.name}: ${r.stderr}`);
    out.push(withoutCounters(r.stdout));
  }
  return out.join('');
}

/**
 * Flushes `table`/`chain` in the node by hand (the backend's `iptables -F`)
 * and lists the chain right after, in the same shell, so the flush is
 * seen before the proxy can repair it; resolves to that listing.
 */
export async function flushChain(
  node: LocalNode,
  backend: Backend,
  table: string,
  chain: string,
): Promise<string[]> {
  const ipt = BACKEND_COMMANDS[backend].iptables;
  const script = `${ipt} --wait=5 -t "$1" -F "$2" && ${ipt} --wait=5 -t "$1" -S "$2"`;
  const r = await node.run('sh', ['-c', script, 'sh', table, chain]);
  assert.equal(r.code, 0, `iptables -t ${table} -F ${chain} in ${node.name}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

/**
 * Waits (bounded) until two snapshots taken `gapMs` apart are equal, so a
 * baseline is not taken in the middle of a sync; resolves to it.
 */
export async function settledRules(
  node: LocalNode,
  backend: Backend,
  gapMs = 2_500,
  ms = 60_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  let prev = await ruleSnapshot(node, backend);
  while (Date.now() < deadline) {
    await sleep(gapMs);
    const now = await ruleSnapshot(node, backend);
    if (now === prev) return now;
    prev = now;
  }
  assert.fail(`the rules of ${node.name} kept changing for ${ms} ms`);
}

/** The SKIFF-SVC- chain that nat SKIFF-SERVICES sends `clusterIP:port` to, from a snapshot. */
export function serviceChainFor(snapshot: string, clusterIP: string, port: number): string {
  const nat = snapshot.slice(snapshot.indexOf('*nat'));
  const dest = `-d ${clusterIP}/32`;
  const line = nat
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`-A ${SERVICES_CHAIN} `) &&
        l.includes(dest) &&
        l.includes(`--dport ${port} `) &&
        / -j SKIFF-SVC-\S+$/.test(l),
    );
  const chain = / -j (SKIFF-SVC-\S+)$/.exec(line ?? '')?.[1];
  assert.ok(chain, `no ${SERVICES_CHAIN} rule for ${clusterIP}:${port} in:\n${nat}`);
  return chain;
}

/** The lines of `b` not in `a` and of `a` not in `b`, for failure messages. */
export function lineDiff(a: string, b: string): string {
  const as = new Set(a.split('\n'));
  const bs = new Set(b.split('\n'));
  const gone = [...as].filter((l) => !bs.has(l)).map((l) => `- ${l}`);
  const added = [...bs].filter((l) => !as.has(l)).map((l) => `+ ${l}`);
  const order = gone.length + added.length === 0 ? ['(same lines, different order)'] : [];
  return [...gone, ...added, ...order].slice(0, 40).join('\n');
}

/** One "Synced iptables rules" line of the proxy (debug level). */
export interface SyncLog {
  rulesWritten: number;
  chainsWritten: number;
  chainsDeleted: number;
  restores: number;
  verified: boolean;
  jumpsInserted: number;
}

/** The proxy's sync log lines in the agent log `path` after byte `offset`. */
export function syncLogs(path: string, offset: number): SyncLog[] {
  const text = readFileSync(path).subarray(offset).toString('utf8');
  const out: SyncLog[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"Synced iptables rules"')) continue;
    try {
      out.push(JSON.parse(line) as SyncLog);
    } catch {
      // a line cut by a concurrent write; the next read sees it whole
    }
  }
  return out;
}

/** A sync log line in a few words, for diagnostics. */
export function briefSync(s: SyncLog): string {
  return `rules=${s.rulesWritten} chains=${s.chainsWritten} deleted=${s.chainsDeleted} restores=${s.restores} verified=${s.verified}`;
}

/** Waits (bounded) for a sync log line in `path` after `offset`; `context` adds to the failure. */
export async function waitSyncLog(
  path: string,
  offset: number,
  context: () => string,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (syncLogs(path, offset).length === 0) {
    assert.ok(Date.now() < deadline, `no proxy sync logged in ${path} for ${ms} ms:\n${context()}`);
    await sleep(250);
  }
}

/** Lines at warn or error level of the proxy in the agent log `path` after `offset`. */
export function proxyWarnings(path: string, offset: number): string[] {
  const text = readFileSync(path).subarray(offset).toString('utf8');
  return text
    .split('\n')
    .filter((l) => /"component":"proxy"/.test(l) && /"level":"(warn|error)"/.test(l));
}

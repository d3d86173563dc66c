#!/usr/bin/env node
/**
 * The `skiff` executable: plain JavaScript, the one file Node loads without
 * stripping types, so that it can turn on Node's compile cache before the
 * first TypeScript file (./skiff.ts, which does the real work) is loaded.
 *
 * Why: Node strips types with amaro, a WebAssembly build of swc that it
 * instantiates at the first .ts file and that then stays resident: the
 * agent's modules load in about 95 MB cold and 74 MB warm
 * (test/bench/parts/agent-import-rss.ts), against a 100 MB budget.
 * The compile cache keeps each file's stripped source and V8 code cache,
 * keyed by path and content, so on a warm start amaro is never instantiated.
 *
 * `skiff agent` caches in <data-dir>/compile-cache (the data dir created
 * 0700 as the agent does): an agent restarted on the same install starts
 * warm, its first start (or a start after an upgrade changed files) fills
 * it. Other commands run as before. Node's own variables still rule:
 * NODE_COMPILE_CACHE=DIR caches there instead, NODE_DISABLE_COMPILE_CACHE=1
 * turns the cache off.
 */
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// Checked here because an older Node fails on skiff.ts with a less clear error.
if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(`skiff needs Node.js 24 or later; this is Node.js ${process.version}\n`);
  process.exit(1);
}

/** Same default as --data-dir of node-agent/agent-command.ts. */
const AGENT_DATA_DIR = '/var/lib/skiff/agent';

/**
 * The compile cache directory for `argv` (the arguments after the program),
 * or undefined when this command gets none: only `skiff agent`, not its help.
 */
function agentCompileCacheDir(argv) {
  const [name, ...rest] = argv;
  if (name !== 'agent' || rest.includes('--help') || rest.includes('-h')) return undefined;
  // Non-strict: only --data-dir matters here; ./skiff.ts checks every flag.
  const { values } = parseArgs({
    args: rest,
    options: { 'data-dir': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const dataDir = values['data-dir'];
  return join(
    typeof dataDir === 'string' && dataDir !== '' ? dataDir : AGENT_DATA_DIR,
    'compile-cache',
  );
}

const cacheDir = agentCompileCacheDir(process.argv.slice(2));
if (cacheDir !== undefined && process.env.NODE_COMPILE_CACHE === undefined) {
  try {
    // Made here, not by Node: Node 24.21 spins forever when it cannot create
    // the directory under /proc, and here a failure just means no cache.
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    module.enableCompileCache(cacheDir);
  } catch {
    // Only a start-up cost is lost; the agent reports an unusable data dir itself.
  }
}
await import('./skiff.ts');

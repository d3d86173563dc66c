/**
 * What merely loading the node agent costs: RSS of a fresh node process
 * that loads what `skiff agent` loads before it starts (the dockerode trim
 * hook, node-agent/agent-command.ts, node-agent/agent.ts), median of
 * several runs, cold and warm:
 *
 * - cold: no compile cache, so Node strips types with amaro (a wasm build
 *   of swc that stays resident once instantiated);
 * - warm: a compile cache filled by one uncounted run first, as
 *   control-plane/cli/skiff-bin.js gives an agent that starts again.
 *
 * The measured process is plain JavaScript (node -e), so nothing of this
 * script's own TypeScript is in it; each sample says whether amaro loaded.
 * Issue 4 of skiff (agent RSS < 100 MB) starts from these figures.
 *
 *   node test/bench/parts/agent-import-rss.ts [--runs N] [--module PATH|SPEC]...
 *        [--no-trim] [--modules] [--node-flag FLAG]...
 *
 * --module replaces the default modules (repeatable, loaded in order);
 * --no-trim loads dockerode whole; --modules lists the packages loaded,
 * largest source first; --node-flag passes a flag (e.g.
 * --max-semi-space-size=1) to the measured processes. Ends with one JSON
 * line of the medians.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, report, round } from '../lib.ts';

/** One measured process: memory after the imports, and what it loaded. */
interface Sample {
  rssMb: number;
  anonMb: number;
  fileMb: number;
  heapUsedMb: number;
  /** V8's external memory (ArrayBuffers, wasm memory is not counted here). */
  externalMb: number;
  /** Whether Node instantiated amaro, its type stripper. */
  amaro: boolean;
  /** Source bytes loaded per package ('skiff' for the project's own files). */
  packages: Record<string, { files: number; bytes: number }>;
}

const AGENT = (path: string) => new URL(`../../../node-agent/${path}`, import.meta.url).href;
const DEFAULT_MODULES = [AGENT('agent-command.ts'), AGENT('agent.ts')];
const TRIM_MODULE = AGENT('trim-dockerode.ts');

/**
 * The measured process, JavaScript so that it loads no TypeScript of its
 * own. Input through SKIFF_IMPORT_RSS (JSON: modules, trim, trace, cache).
 * The trace hook sees every ESM import and CJS require with its source; it
 * runs only in the one traced run, so its cost stays out of the RSS runs.
 */
const CHILD = `
import { readFileSync } from 'node:fs';
import { enableCompileCache, registerHooks } from 'node:module';
const o = JSON.parse(process.env.SKIFF_IMPORT_RSS);
if (o.cache) enableCompileCache(o.cache);
const packages = {};
const packageOf = (url) => {
  const i = url.lastIndexOf('/node_modules/');
  if (i < 0) return url.startsWith('node:') ? 'node:' : 'skiff';
  const parts = url.slice(i + 14).split('/');
  return parts[0].startsWith('@') ? parts[0] + '/' + parts[1] : parts[0];
};
if (o.trace) registerHooks({
  load(url, context, nextLoad) {
    const out = nextLoad(url, context);
    const p = (packages[packageOf(url)] ??= { files: 0, bytes: 0 });
    p.files++;
    const src = out.source;
    p.bytes += typeof src === 'string' ? Buffer.byteLength(src) : (src?.byteLength ?? 0);
    return out;
  },
});
if (o.trim) (await import(o.trim)).trimDockerode();
for (const m of o.modules) await import(m);
const status = readFileSync('/proc/self/status', 'utf8');
const mb = (f) => Number(new RegExp('^' + f + ':\\\\s+(\\\\d+) kB', 'm').exec(status)?.[1]) / 1024;
const mu = process.memoryUsage();
process.stdout.write(JSON.stringify({
  rssMb: mu.rss / 2 ** 20, anonMb: mb('RssAnon'), fileMb: mb('RssFile'),
  heapUsedMb: mu.heapUsed / 2 ** 20, externalMb: mu.external / 2 ** 20,
  amaro: process.moduleLoadList.some((m) => m.includes('internal/deps/amaro')),
  packages,
}) + '\\n');
// The modules start nothing, but a module under test might.
process.exit(0);
`;

interface ChildInput {
  modules: string[];
  trim?: string;
  trace?: boolean;
  cache?: string;
}

function measure(input: ChildInput, nodeFlags: string[]): Sample {
  const env: NodeJS.ProcessEnv = { ...process.env, SKIFF_IMPORT_RSS: JSON.stringify(input) };
  // This script's own cache settings must not reach the child.
  delete env.NODE_COMPILE_CACHE;
  const out = execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', CHILD], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Sample;
}

/** Medians of `runs` samples, and the amaro flag of the last. */
function series(input: ChildInput, flags: string[], runs: number) {
  const samples = Array.from({ length: runs }, () => measure(input, flags));
  const med = (f: (s: Sample) => number): number => round(percentile(samples.map(f), 0.5), 1);
  return {
    rssMbMedian: med((s) => s.rssMb),
    rssMbMin: round(Math.min(...samples.map((s) => s.rssMb)), 1),
    rssMbMax: round(Math.max(...samples.map((s) => s.rssMb)), 1),
    anonMbMedian: med((s) => s.anonMb),
    fileMbMedian: med((s) => s.fileMb),
    heapUsedMbMedian: med((s) => s.heapUsedMb),
    externalMbMedian: med((s) => s.externalMb),
    amaro: samples.every((s) => s.amaro) ? 'yes' : samples.some((s) => s.amaro) ? 'some' : 'no',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      module: { type: 'string', multiple: true },
      trim: { type: 'boolean', default: true },
      modules: { type: 'boolean', default: false },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
    allowNegative: true,
  });
  const runs = Math.max(1, Math.min(50, Number(values.runs) || 5));
  const modules = values.module?.length
    ? values.module.map((m) => (/^[./]/.test(m) ? new URL(m, `file://${process.cwd()}/`).href : m))
    : DEFAULT_MODULES;
  const flags = values['node-flag'];
  const base: ChildInput = { modules, ...(values.trim ? { trim: TRIM_MODULE } : {}) };
  const cacheDir = mkdtempSync(join(tmpdir(), 'skiff-import-rss-cache-'));
  try {
    const cold = series(base, flags, runs);
    measure({ ...base, cache: cacheDir }, flags); // fills the cache, not counted
    const warm = series({ ...base, cache: cacheDir }, flags, runs);
    process.stdout.write(
      `import of ${modules.join(', ')}${values.trim ? ' (dockerode trimmed)' : ''} ${flags.join(' ')}\n`,
    );
    for (const [name, s] of [
      ['cold compile cache', cold],
      ['warm compile cache', warm],
    ] as const) {
      process.stdout.write(
        `  ${name}: RSS median ${s.rssMbMedian} MiB (min ${s.rssMbMin}, max ${s.rssMbMax})` +
          ` = anon ${s.anonMbMedian} + file ${s.fileMbMedian}; heap used ${s.heapUsedMbMedian},` +
          ` external ${s.externalMbMedian}; amaro loaded: ${s.amaro}\n`,
      );
    }
    if (values.modules) {
      const traced = measure({ ...base, cache: cacheDir, trace: true }, flags);
      const rows = Object.entries(traced.packages).sort((a, b) => b[1].bytes - a[1].bytes);
      for (const [name, p] of rows) {
        process.stdout.write(
          `  ${name.padEnd(32)} ${String(p.files).padStart(5)} files ${String(round(p.bytes / 1024, 0)).padStart(6)} KiB source\n`,
        );
      }
    }
    report({
      modules: modules.join(' '),
      trim: values.trim,
      nodeFlags: flags.join(' '),
      runs,
      ...Object.fromEntries(Object.entries(cold).map(([k, v]) => [`cold_${k}`, v])),
      ...Object.fromEntries(Object.entries(warm).map(([k, v]) => [`warm_${k}`, v])),
    });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();

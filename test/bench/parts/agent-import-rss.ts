/**
 * What merely loading the node agent costs: RSS of a fresh node process that
 * only imports node-agent/agent-command.ts (or another module), median of
 * several runs, and which packages it loaded. Issue 4 of skiff (agent RSS
 * < 100 MB) starts from this figure.
 *
 *   node test/bench/parts/agent-import-rss.ts [--runs N] [--module PATH|SPEC]
 *        [--modules] [--node-flag FLAG]...
 *
 * --modules lists the packages loaded, largest source first; --node-flag
 * passes a flag (e.g. --max-semi-space-size=1) to the measured processes.
 * Ends with one JSON line of the medians.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { parseArgs } from 'node:util';
import { percentile, report, round } from '../lib.ts';

/** One measured process: memory after the import, and what it loaded. */
interface Sample {
  rssMb: number;
  anonMb: number;
  fileMb: number;
  heapUsedMb: number;
  /** Source bytes loaded per package ('skiff' for the project's own files). */
  packages: Record<string, { files: number; bytes: number }>;
}

const CHILD = 'SKIFF_AGENT_IMPORT_RSS_CHILD';
const TRACE = 'SKIFF_AGENT_IMPORT_RSS_TRACE';
const DEFAULT_MODULE = new URL('../../../node-agent/agent-command.ts', import.meta.url).href;

/** `node_modules/a/…` → 'a', `node_modules/@s/b/…` → '@s/b', project files → 'skiff'. */
function packageOf(url: string): string {
  const i = url.lastIndexOf('/node_modules/');
  if (i < 0) return url.startsWith('node:') ? 'node:' : 'skiff';
  const parts = url.slice(i + '/node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
}

function statusMb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync('/proc/self/status', 'utf8'),
  );
  return m ? Number(m[1]) / 1024 : NaN;
}

async function child(spec: string, trace: boolean): Promise<void> {
  const packages: Sample['packages'] = {};
  // Sees every ESM import and CJS require, with the source about to run;
  // only in the one traced run, so the hook's own cost stays out of the RSS runs.
  if (trace)
    registerHooks({
      load(url, context, nextLoad) {
        const out = nextLoad(url, context);
        const p = (packages[packageOf(url)] ??= { files: 0, bytes: 0 });
        p.files++;
        const src = out.source;
        p.bytes += typeof src === 'string' ? Buffer.byteLength(src) : (src?.byteLength ?? 0);
        return out;
      },
    });
  await import(spec);
  const mu = process.memoryUsage();
  const sample: Sample = {
    rssMb: mu.rss / 2 ** 20,
    anonMb: statusMb('RssAnon'),
    fileMb: statusMb('RssFile'),
    heapUsedMb: mu.heapUsed / 2 ** 20,
    packages,
  };
  process.stdout.write(JSON.stringify(sample) + '\n');
  // agent-command.ts starts nothing, but a module under test might.
  process.exit(0);
}

function measure(spec: string, nodeFlags: string[], trace = false): Sample {
  const out = execFileSync(process.execPath, [...nodeFlags, new URL(import.meta.url).pathname], {
    env: { ...process.env, [CHILD]: spec, [TRACE]: trace ? '1' : '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Sample;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      module: { type: 'string' },
      modules: { type: 'boolean', default: false },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  const runs = Math.max(1, Math.min(50, Number(values.runs) || 5));
  const spec = values.module
    ? /^[./]/.test(values.module)
      ? new URL(values.module, `file://${process.cwd()}/`).href
      : values.module
    : DEFAULT_MODULE;
  const flags = values['node-flag'];
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(measure(spec, flags));
  const med = (f: (s: Sample) => number): number => round(percentile(samples.map(f), 0.5), 1);
  const figures = {
    module: spec,
    nodeFlags: flags.join(' '),
    runs,
    rssMbMedian: med((s) => s.rssMb),
    rssMbMin: round(Math.min(...samples.map((s) => s.rssMb)), 1),
    rssMbMax: round(Math.max(...samples.map((s) => s.rssMb)), 1),
    anonMbMedian: med((s) => s.anonMb),
    fileMbMedian: med((s) => s.fileMb),
    heapUsedMbMedian: med((s) => s.heapUsedMb),
  };
  process.stdout.write(
    `import of ${spec} ${flags.join(' ')}\n` +
      `  RSS median ${figures.rssMbMedian} MiB (min ${figures.rssMbMin}, max ${figures.rssMbMax})` +
      ` = anon ${figures.anonMbMedian} + file ${figures.fileMbMedian}; heap used ${figures.heapUsedMbMedian}\n`,
  );
  if (values.modules) {
    const rows = Object.entries(measure(spec, flags, true).packages).sort(
      (a, b) => b[1].bytes - a[1].bytes,
    );
    for (const [name, p] of rows) {
      process.stdout.write(
        `  ${name.padEnd(32)} ${String(p.files).padStart(5)} files ${String(round(p.bytes / 1024, 0)).padStart(6)} KiB source\n`,
      );
    }
  }
  report(figures);
}

const childSpec = process.env[CHILD];
await (childSpec === undefined ? main() : child(childSpec, process.env[TRACE] === '1'));

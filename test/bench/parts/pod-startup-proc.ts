/**
 * Resident memory and CPU of processes from /proc, for the pod-startup
 * benchmark: RSS is VmRSS of /proc/<pid>/status, CPU is the growth of
 * utime + stime (/proc/<pid>/stat, in clock ticks) over a wall-clock
 * window, as a percentage of one core. Several processes are measured
 * over the same window, so machine noise hits all of them alike.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** What one process used over a window. */
export interface ProcUsage {
  /** Largest VmRSS sample, MiB. */
  rssMbMax: number;
  /** Mean of the VmRSS samples, MiB. */
  rssMbMean: number;
  /**
   * The largest sample's split: anonymous memory (heap, code, private to the
   * process) and file-backed pages (mostly the node binary, shared with
   * every node process on the machine), MiB.
   */
  anonMb: number;
  fileMb: number;
  /** CPU time over wall time, percent of one core. */
  cpuPct: number;
}

const TICKS_PER_S =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Resident memory of `pid` in KiB: VmRSS and its RssAnon and RssFile parts. */
export interface RssKb {
  rss: number;
  anon: number;
  file: number;
}

/** Reads the RSS lines of /proc/<pid>/status. */
export function rssKb(pid: number): RssKb {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${name} line (a zombie?)`);
    return Number(m[1]);
  };
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** utime + stime of `pid` in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3, state.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Samples every process of `pids` each `sampleMs` for `windowMs`, calling
 * `progress` with the seconds elapsed after each sample.
 */
export async function measureWindow(
  pids: Record<string, number>,
  windowMs: number,
  sampleMs: number,
  progress?: (elapsedS: number) => void,
): Promise<Record<string, ProcUsage>> {
  const names = Object.keys(pids);
  const pidOf = (n: string) => pids[n] as number;
  const rss = new Map<string, RssKb[]>(names.map((n) => [n, [rssKb(pidOf(n))]]));
  const ticks0 = new Map(names.map((n) => [n, cpuTicks(pidOf(n))]));
  const t0 = performance.now();
  while (performance.now() - t0 < windowMs) {
    await sleep(Math.min(sampleMs, Math.max(0, windowMs - (performance.now() - t0))));
    for (const n of names) rss.get(n)?.push(rssKb(pidOf(n)));
    progress?.((performance.now() - t0) / 1000);
  }
  const wallS = (performance.now() - t0) / 1000;
  const out: Record<string, ProcUsage> = {};
  for (const n of names) {
    const samples = rss.get(n) ?? [];
    const used = (cpuTicks(pidOf(n)) - (ticks0.get(n) ?? 0)) / TICKS_PER_S;
    const max = samples.reduce((a, b) => (b.rss > a.rss ? b : a), { rss: 0, anon: 0, file: 0 });
    out[n] = {
      rssMbMax: max.rss / 1024,
      rssMbMean: samples.reduce((a, b) => a + b.rss, 0) / samples.length / 1024,
      anonMb: max.anon / 1024,
      fileMb: max.file / 1024,
      cpuPct: (used / wallS) * 100,
    };
  }
  return out;
}

/** An idle node process (a timer every second), the baseline; stop it with `stopIdleNode`. */
export async function startIdleNode(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  // Let it finish starting up, so its start-up CPU stays out of the window.
  await sleep(2000);
  if (child.exitCode !== null || child.pid === undefined) {
    throw new Error(`the idle node baseline process exited (code ${child.exitCode})`);
  }
  return child;
}

/** Ends the baseline process by its PID and waits for it. */
export async function stopIdleNode(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/**
 * The agent (`agentPid`) and a fresh idle node process over the same
 * `seconds`-long window, sampled every second, progress every 30 s.
 */
export async function agentBesideIdleNode(
  agentPid: number,
  seconds: number,
  out: (line: string) => void,
): Promise<{ agent: ProcUsage; node: ProcUsage }> {
  const node = await startIdleNode();
  let next = 30;
  const progress = (s: number) => {
    if (s < next) return;
    out(`  ${Math.round(s)} s / ${seconds} s`);
    next += 30;
  };
  try {
    const pids = { agent: agentPid, node: node.pid ?? 0 };
    const r = await measureWindow(pids, seconds * 1000, 1000, progress);
    return { agent: r.agent as ProcUsage, node: r.node as ProcUsage };
  } finally {
    await stopIdleNode(node);
  }
}

/** Where a process's resident memory is, from /proc/<pid>/smaps, MiB. */
export interface MemoryMap {
  /** The node executable's pages (code, read-only data: built-in JS, ICU, snapshot). */
  nodeBinary: number;
  /** Other files mapped: shared libraries, native addons. */
  otherFiles: number;
  /** malloc's heap ([heap]): native allocations of Node, V8 and libuv. */
  mallocHeap: number;
  /** Writable and executable anonymous mappings: V8's generated code. */
  jitCode: number;
  /** Other anonymous mappings: mostly the V8 heap, also large malloc blocks and thread stacks. */
  otherAnon: number;
  /** Mappings of 4 GiB or more: V8 reserves about 8 GiB for each WebAssembly memory (amaro's, if loaded). */
  wasmMemories: number;
}

/** Sums the Rss of `pid`'s mappings by kind; see MemoryMap. */
export function memoryMap(pid: number): MemoryMap {
  const m: MemoryMap = {
    nodeBinary: 0,
    otherFiles: 0,
    mallocHeap: 0,
    jitCode: 0,
    otherAnon: 0,
    wasmMemories: 0,
  };
  let kind: Exclude<keyof MemoryMap, 'wasmMemories'> = 'otherAnon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const [, from = '0', to = '0', perms = '', name = ''] = head;
      if (BigInt(`0x${to}`) - BigInt(`0x${from}`) >= 4n << 30n) m.wasmMemories++;
      kind =
        name === process.execPath || name.endsWith('/bin/node')
          ? 'nodeBinary'
          : name.startsWith('/')
            ? 'otherFiles'
            : name === '[heap]'
              ? 'mallocHeap'
              : perms.startsWith('rwx')
                ? 'jitCode'
                : 'otherAnon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) m[kind] += Number(rss[1]) / 1024;
  }
  return m;
}

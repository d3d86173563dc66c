/**
 * The machine's memory from /proc/meminfo, read the way systeminformation's
 * si.mem() reads it on Linux, without keeping that package loaded for a
 * reading the status loop takes every 10 s.
 */
import { readFile } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';

/** Memory of the machine in bytes. */
export interface MemoryReading {
  totalBytes: number;
  /** MemAvailable: the kernel's estimate of what new work can use. */
  availableBytes: number;
}

/**
 * The reading in `text` (/proc/meminfo, values in kB). Without MemTotal the
 * total is `fallback.totalBytes`; without MemAvailable (kernels before 3.14)
 * it is free + buffers + cached + slab, as si.mem() counts it.
 */
export function parseMeminfo(text: string, fallback: MemoryReading): MemoryReading {
  const kb = (field: string): number | undefined => {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const available =
    kb('MemAvailable') ??
    (kb('MemFree') ?? fallback.availableBytes) +
      (kb('Buffers') ?? 0) +
      (kb('Cached') ?? 0) +
      (kb('Slab') ?? 0);
  return { totalBytes: kb('MemTotal') || fallback.totalBytes, availableBytes: available };
}

/** This machine's memory; node:os figures when /proc/meminfo cannot be read. */
export async function readMemory(): Promise<MemoryReading> {
  const fallback = { totalBytes: totalmem(), availableBytes: freemem() };
  try {
    return parseMeminfo(await readFile('/proc/meminfo', 'utf8'), fallback);
  } catch {
    return fallback;
  }
}

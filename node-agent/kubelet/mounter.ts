/**
 * Memory-backed volume directories: a tmpfs mounted on a directory of the
 * agent's data dir (emptyDir with medium Memory, secret volumes), so every
 * container of the pod bind-mounts the same tmpfs. Behind an interface so
 * the volume manager's tests can record instead of mounting.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TIMEOUT_MS = 30_000;

export interface Mounter {
  /** Mounts a tmpfs on `dir` (which exists), limited to `sizeBytes` if given; no-op if mounted. */
  mountTmpfs(dir: string, sizeBytes?: number): Promise<void>;
  /** Unmounts `dir` if something is mounted there. */
  unmount(dir: string): Promise<void>;
  isMountPoint(dir: string): Promise<boolean>;
}

/** The real thing: mount(8)/umount(8), and /proc/self/mountinfo to check. */
export class ExecMounter implements Mounter {
  async mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
    if (await this.isMountPoint(dir)) return;
    const opts = ['mode=0777', ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
    await runOrExplain(
      'mount',
      ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir],
      `mount a tmpfs on ${dir}`,
    );
  }

  async unmount(dir: string): Promise<void> {
    if (!(await this.isMountPoint(dir))) return;
    await runOrExplain('umount', [dir], `unmount ${dir}`);
  }

  async isMountPoint(dir: string): Promise<boolean> {
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    return mountPoints(info).includes(dir);
  }
}

/** The mount points listed in a mountinfo text (field 5, octal escapes decoded). */
export function mountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

async function runOrExplain(cmd: string, args: string[], what: string): Promise<void> {
  try {
    await run(cmd, args, { timeout: TIMEOUT_MS });
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    const detail = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : String(err);
    throw new Error(`${what}: ${detail} (the agent must run as root)`, { cause: err });
  }
}

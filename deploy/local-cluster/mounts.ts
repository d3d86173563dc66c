/**
 * Mounts a node's dockerd leaves in the host mount namespace (overlay
 * rootfs, shm, network namespace bind mounts under its data and exec roots)
 * when it dies without cleaning up. Found through /proc/self/mountinfo and
 * removed with umount, only under a directory the local cluster owns.
 */
import { readFileSync } from 'node:fs';
import type { CommandRunner } from './command-runner.ts';

/** Mount points listed in mountinfo text (field 5, octal escapes decoded). */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) =>
      p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))),
    );
}

/** Mount points strictly inside `dir` (not `dir` itself), deepest first. */
export function mountsUnder(dir: string, mountPoints: readonly string[]): string[] {
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  return [...new Set(mountPoints.filter((p) => p.startsWith(base)))].sort(
    (a, b) => b.length - a.length,
  );
}

/** The current mount points of this process's mount namespace. */
export function currentMountPoints(): string[] {
  return parseMountPoints(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/**
 * Unmounts everything mounted inside `dir`, deepest first; a busy mount is
 * detached lazily. Returns the mount points that could not be removed.
 */
export async function unmountUnder(dir: string, runner: CommandRunner): Promise<string[]> {
  // Bounded: a mount stacked several times needs one umount per layer.
  for (let round = 0; round < 5; round++) {
    const mounts = mountsUnder(dir, currentMountPoints());
    if (mounts.length === 0) return [];
    for (const m of mounts) {
      const res = await runner.run('umount', [m]);
      if (res.code !== 0) await runner.run('umount', ['--lazy', m]);
    }
  }
  return mountsUnder(dir, currentMountPoints());
}

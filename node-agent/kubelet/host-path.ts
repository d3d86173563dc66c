/**
 * hostPath type checks with the kubelet's messages (pkg/volume/hostpath
 * checkTypeInternal): "" skips the check, DirectoryOrCreate and
 * FileOrCreate create what is missing (0755 directory, 0644 empty file; a
 * file's parent must exist), the other types require what they name.
 */
import type { Stats } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';

/** Checks (and for the *OrCreate types, makes) `path`; throws Error with the kubelet's message. */
export async function checkHostPath(path: string, type: string): Promise<void> {
  if (!path.startsWith('/')) throw new Error(`invalid HostPath \`${path}\`: must be absolute`);
  const st = await statOrUndefined(path);
  if (!st && type === 'DirectoryOrCreate') {
    await mkdir(path, { recursive: true, mode: 0o755 });
    return;
  }
  if (!st && type === 'FileOrCreate') {
    await writeFile(path, '', { mode: 0o644, flag: 'wx' });
    return;
  }
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
    case 'Directory':
      if (!st?.isDirectory()) throw typeError(path, 'a directory');
      return;
    case 'FileOrCreate':
    case 'File':
      if (!st?.isFile()) throw typeError(path, 'a file');
      return;
    case 'Socket':
      if (!st?.isSocket()) throw typeError(path, 'a socket file');
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw typeError(path, 'a character device');
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw typeError(path, 'a block device');
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}

function typeError(path: string, what: string): Error {
  return new Error(`hostPath type check failed: ${path} is not ${what}`);
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

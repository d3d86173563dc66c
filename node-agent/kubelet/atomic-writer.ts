/**
 * Writes a volume's files so that a container never sees half an update,
 * as Kubernetes' AtomicWriter does: the files go into a fresh hidden
 * directory `..<time>`, the symlink `..data` is switched to it with one
 * rename, and each top-level name the user sees is a symlink into
 * `..data`. Readers see the old set or the new set, never a mix.
 */
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkedPath, type Payload } from './volume-payload.ts';

const DATA_LINK = '..data';
const DATA_TMP = '..data_tmp';

/**
 * Makes `dir` hold exactly `payload`; returns false when it already did
 * (nothing written). `dir` is created if missing.
 */
export async function writePayload(dir: string, payload: Payload): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const current = join(dir, DATA_LINK);
  const oldTarget = existsSync(current) ? readlinkSync(current) : undefined;
  if (oldTarget !== undefined && sameContent(join(dir, oldTarget), payload)) return false;

  const stamp = new Date().toISOString().replace(/[-:.]/g, '_');
  const tsDir = await mkdtemp(join(dir, `..${stamp}.`));
  // mkdtemp makes it 0700; containers running as any user must read the files (as the kubelet's 0755).
  await chmod(tsDir, 0o755);
  for (const [path, file] of payload) {
    const target = join(tsDir, checkedPath(path));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.data);
    await chmod(target, file.mode);
  }
  const tmpLink = join(dir, DATA_TMP);
  await rm(tmpLink, { force: true });
  await symlink(tsDir.slice(dir.length + 1), tmpLink);
  await rename(tmpLink, current);

  const wanted = new Set([...payload.keys()].map((p) => p.split('/')[0] ?? p));
  for (const name of wanted) {
    const link = join(dir, name);
    if (!existsSync(link) && !isSymlink(link)) await symlink(join(DATA_LINK, name), link);
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || wanted.has(name)) continue;
    if (isSymlink(join(dir, name))) await unlink(join(dir, name));
  }
  if (oldTarget !== undefined) await rm(join(dir, oldTarget), { recursive: true, force: true });
  return true;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

// True when `tsDir` holds exactly the payload's files with the same bytes and modes.
function sameContent(tsDir: string, payload: Payload): boolean {
  if (!existsSync(tsDir)) return false;
  const files = listFiles(tsDir, '');
  if (files.length !== payload.size) return false;
  for (const path of files) {
    const want = payload.get(path);
    if (!want) return false;
    const full = join(tsDir, path);
    if ((statSync(full).mode & 0o7777) !== want.mode) return false;
    if (!readFileSync(full).equals(want.data)) return false;
  }
  return true;
}

function listFiles(root: string, prefix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(root, rel));
    else out.push(rel);
  }
  return out;
}

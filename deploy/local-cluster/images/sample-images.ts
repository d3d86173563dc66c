/**
 * skiff's sample images, built here because no registry outside this machine
 * can be reached:
 * - `skiff/pause:1`: one layer, Debian's static busybox with its applets as
 *   symlinks in /bin, and /pause (a shell loop that exits 0 on TERM/INT).
 * - `skiff/echo:1`: that same layer plus the pinned node binary, its shared
 *   libraries (from `ldd`) and /echo-server.mjs (see that file for the
 *   behaviour switches). Node rather than busybox because busybox's nc has
 *   no UDP and there is no tcpsvd/udpsvd in Debian's build; with node the
 *   server does HTTP, UDP, signals and memory exactly. The shared bottom
 *   layer is stored and pulled once per node.
 * Layers are reproducible tars, so rebuilding gives the same image IDs. The
 * result is cached under `<cacheDir>/<key>/`, where the key hashes every
 * input (file paths, sizes, mtimes and the scripts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk, type CommandRunner } from '../command-runner.ts';
import { writeJsonBlob, writeLayerBlob, type LayerEntry } from './blob-store.ts';
import { imageConfig, type BlobRef, type ImageRuntimeConfig } from './image-spec.ts';
import { parseSampleImages, type BuiltImage, type SampleImages } from './sample-images-file.ts';

export type { BuiltImage, SampleImages } from './sample-images-file.ts';

export const PAUSE_IMAGE = 'skiff/pause:1';
export const ECHO_IMAGE = 'skiff/echo:1';
/** Bump when the layout of the images changes, to invalidate caches. */
const FORMAT_VERSION = 1;
const PAUSE_SCRIPT = join(import.meta.dirname, 'pause.sh');
const ECHO_SCRIPT = join(import.meta.dirname, 'echo-server.mjs');
const IMAGES_FILE = 'images.json';

export interface SampleImageOptions {
  /** Where built images are cached (e.g. `<dataDir>/images`). */
  cacheDir: string;
  /** Default /bin/busybox (Debian's busybox-static). */
  busybox?: string;
  /** Default the running node binary (the pinned Node 24). */
  nodeBinary?: string;
}

/** Builds the sample images, or returns the cached build for the same inputs. */
export async function buildSampleImages(
  opts: SampleImageOptions,
  runner: CommandRunner,
): Promise<SampleImages> {
  const busybox = opts.busybox ?? '/bin/busybox';
  const nodeBinary = opts.nodeBinary ?? process.execPath;
  if (!existsSync(busybox)) {
    throw new Error(`${busybox} not found: install Debian's busybox-static package`);
  }
  const libs = parseLddOutput(await runOk(runner, 'ldd', [nodeBinary]));
  const key = cacheKey([busybox, nodeBinary, ...libs.map((l) => l.path)]);
  const dir = join(opts.cacheDir, key);
  if (existsSync(join(dir, IMAGES_FILE))) {
    return parseSampleImages(readFileSync(join(dir, IMAGES_FILE), 'utf8'), join(dir, 'blobs'));
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const blobs = join(tmp, 'blobs');
  const applets = (await runOk(runner, busybox, ['--list'])).split('\n').filter((a) => a !== '');
  const base = await writeLayerBlob(blobs, baseLayer(busybox, applets));
  const app = await writeLayerBlob(blobs, echoLayer(nodeBinary, libs));
  const images: BuiltImage[] = [
    await image(blobs, PAUSE_IMAGE, [base], ['busybox and /pause'], {
      cmd: ['/pause'],
      env: ['PATH=/bin'],
      labels: { 'io.skiff.sample-image': 'pause' },
    }),
    await image(
      blobs,
      ECHO_IMAGE,
      [base, app],
      ['busybox and /pause', 'node and /echo-server.mjs'],
      {
        cmd: ['/usr/local/bin/node', '/echo-server.mjs'],
        env: ['PATH=/usr/local/bin:/bin'],
        exposedPorts: ['8080/tcp', '8080/udp'],
        labels: { 'io.skiff.sample-image': 'echo' },
      },
    ),
  ];
  await writeFile(join(tmp, IMAGES_FILE), JSON.stringify({ images }, null, 2));
  await mkdir(opts.cacheDir, { recursive: true });
  try {
    await rename(tmp, dir);
  } catch (err) {
    // Another process finished the same build first; its result is identical.
    if (!existsSync(join(dir, IMAGES_FILE))) throw err;
    await rm(tmp, { recursive: true, force: true });
  }
  return parseSampleImages(readFileSync(join(dir, IMAGES_FILE), 'utf8'), join(dir, 'blobs'));
}

/** Shared libraries `ldd` lists (with the loader), as absolute paths; vdso skipped. */
export function parseLddOutput(text: string): { path: string }[] {
  const paths = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) paths.add(m[1]);
  }
  return [...paths].sort().map((path) => ({ path }));
}

function baseLayer(busybox: string, applets: readonly string[]): LayerEntry[] {
  const dirs = ['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'tmp', 'usr', 'var'];
  const entries: LayerEntry[] = [
    ...dirs.map((d) => ({ path: d, type: 'dir' as const, mode: dirMode(d) })),
    { path: 'bin/busybox', type: 'file', mode: 0o755, source: busybox },
    ...applets
      .filter((a) => a !== 'busybox' && /^[\w.[\-]+$/.test(a))
      .map((a) => ({
        path: `bin/${a}`,
        type: 'symlink' as const,
        mode: 0o777,
        linkname: 'busybox',
      })),
    { path: 'etc/passwd', type: 'file', mode: 0o644, data: Buffer.from(PASSWD) },
    { path: 'etc/group', type: 'file', mode: 0o644, data: Buffer.from(GROUP) },
    { path: 'pause', type: 'file', mode: 0o755, source: PAUSE_SCRIPT },
  ];
  return sortEntries(entries);
}

function echoLayer(nodeBinary: string, libs: readonly { path: string }[]): LayerEntry[] {
  const files: LayerEntry[] = [
    { path: 'usr/local/bin/node', type: 'file', mode: 0o755, source: nodeBinary },
    { path: 'echo-server.mjs', type: 'file', mode: 0o644, source: ECHO_SCRIPT },
    // Same paths as on the host: the loader's default search covers /lib/x86_64-linux-gnu.
    ...libs.map((l) => ({
      path: l.path.slice(1),
      type: 'file' as const,
      mode: 0o755,
      source: l.path,
    })),
  ];
  return sortEntries(withParentDirs(files));
}

async function image(
  blobs: string,
  ref: string,
  layers: BlobRef[],
  history: string[],
  run: ImageRuntimeConfig,
): Promise<BuiltImage> {
  const config = await writeJsonBlob(
    blobs,
    imageConfig(
      run,
      layers.map((l) => l.digest),
      history,
    ),
  );
  return { ref, config, layers };
}

function withParentDirs(entries: LayerEntry[]): LayerEntry[] {
  const have = new Set(entries.map((e) => e.path));
  const dirs: LayerEntry[] = [];
  for (const e of entries) {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!have.has(d)) {
        have.add(d);
        dirs.push({ path: d, type: 'dir', mode: 0o755 });
      }
    }
  }
  return [...dirs, ...entries];
}

function sortEntries(entries: LayerEntry[]): LayerEntry[] {
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function dirMode(dir: string): number {
  if (dir === 'tmp') return 0o1777;
  return dir === 'root' ? 0o700 : 0o755;
}

function cacheKey(files: readonly string[]): string {
  const h = createHash('sha256').update(`format ${FORMAT_VERSION}\n`);
  for (const f of [...files, PAUSE_SCRIPT, ECHO_SCRIPT]) {
    const st = statSync(f);
    h.update(`${f} ${st.size} ${st.mtimeMs}\n`);
  }
  h.update(readFileSync(PAUSE_SCRIPT)).update(readFileSync(ECHO_SCRIPT));
  return h.digest('hex').slice(0, 16);
}

const PASSWD =
  'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

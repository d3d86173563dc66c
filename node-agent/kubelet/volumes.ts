/**
 * The volume manager: prepares a pod's volumes under the agent's data dir
 * and turns each container's volumeMounts into bind mounts.
 *
 * Layout, as the kubelet's: `<dataDir>/pods/<uid>/volumes/<plugin>/<name>`
 * with plugins kubernetes.io~empty-dir, ~configmap, ~secret, ~downward-api
 * and ~projected. emptyDir with medium Memory and secret volumes are tmpfs
 * mounts (secrets never touch the disk); configMap, secret, downwardAPI and
 * projected files are (re)written atomically on every setUp, so updates of
 * the objects reach running containers; hostPath is checked against its
 * declared type. Failures read like the kubelet's FailedMount events.
 */
import { chmod, mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Container, Pod, Volume } from '../../control-plane/api/types.ts';
import { rootLogger, type Logger } from '../../control-plane/api/log.ts';
import { writePayload } from './atomic-writer.ts';
import { memoryBytes } from './runtime/container-config.ts';
import type { BindMount } from './runtime/runtime.ts';
import { checkHostPath } from './host-path.ts';
import type { Mounter } from './mounter.ts';
import { SyncError } from './sync-error.ts';
import { checkedPath } from './volume-payload.ts';
import { volumePayload, type PayloadInputs } from './volume-sources.ts';

/** A volume ready on the node. */
export interface PreparedVolume {
  name: string;
  /** The host directory (or file, for a hostPath) containers bind-mount. */
  hostPath: string;
  /** configMap, secret, downwardAPI and projected volumes are always read-only. */
  forceReadOnly: boolean;
}

export type PodVolumes = Map<string, PreparedVolume>;

/** A volume could not be set up; the message is the FailedMount event's. */
export class MountError extends Error {
  readonly volume: string;
  constructor(volume: string, reason: string, opts?: { cause?: unknown }) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`, opts);
    this.name = 'MountError';
    this.volume = volume;
  }
}

export interface VolumeManagerOptions {
  /** The agent's data dir; pods' volumes live under `<dataDir>/pods`. */
  dataDir: string;
  mounter: Mounter;
  log?: Logger;
}

const PLUGIN = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

export class VolumeManager {
  private readonly dataDir: string;
  private readonly mounter: Mounter;
  private readonly log: Logger;

  constructor(opts: VolumeManagerOptions) {
    this.dataDir = opts.dataDir;
    this.mounter = opts.mounter;
    this.log = (opts.log ?? rootLogger).child({ component: 'volumes' });
  }

  /** The directory of everything the agent keeps for pod `uid`. */
  podDir(uid: string): string {
    return join(this.dataDir, 'pods', uid);
  }

  /**
   * Prepares every volume of `pod` (idempotent; rewrites projected files
   * whose objects changed). Throws MountError for the first volume that fails.
   */
  async setUpPod(pod: Pod, inputs: PayloadInputs): Promise<PodVolumes> {
    const uid = pod.metadata.uid ?? '';
    const prepared: PodVolumes = new Map();
    for (const v of pod.spec.volumes ?? []) {
      try {
        prepared.set(v.name, await this.setUp(uid, pod, v, inputs));
      } catch (err) {
        if (err instanceof MountError) throw err;
        throw new MountError(v.name, err instanceof Error ? err.message : String(err), {
          cause: err,
        });
      }
    }
    return prepared;
  }

  /**
   * The bind mounts of `container` from its volumeMounts. subPath dirs are
   * created inside the volume and must resolve inside it (no escape through
   * symlinks); problems fail with CreateContainerConfigError.
   */
  async mountsFor(container: Container, volumes: PodVolumes): Promise<BindMount[]> {
    const mounts: BindMount[] = [];
    for (const m of container.volumeMounts ?? []) {
      const vol = volumes.get(m.name);
      if (!vol) {
        throw new SyncError(
          'CreateContainerConfigError',
          `cannot find volume "${m.name}" to mount into container "${container.name}"`,
        );
      }
      const hostPath = m.subPath
        ? await this.subPath(vol, m.subPath, container.name)
        : vol.hostPath;
      mounts.push({
        hostPath,
        containerPath: m.mountPath,
        readOnly: m.readOnly === true || vol.forceReadOnly,
      });
    }
    return mounts;
  }

  /** Unmounts and removes everything the agent kept for pod `uid`; idempotent. */
  async tearDownPod(uid: string): Promise<void> {
    const volumesDir = join(this.podDir(uid), 'volumes');
    for (const plugin of [PLUGIN.emptyDir, PLUGIN.secret]) {
      const dir = join(volumesDir, plugin);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        await this.mounter.unmount(join(dir, name));
      }
    }
    await rm(this.podDir(uid), { recursive: true, force: true });
  }

  /** UIDs of the pods with a directory under the data dir (for orphan cleanup). */
  async podsOnDisk(): Promise<string[]> {
    return readdir(join(this.dataDir, 'pods')).catch(() => []);
  }

  private async setUp(
    uid: string,
    pod: Pod,
    v: Volume,
    inputs: PayloadInputs,
  ): Promise<PreparedVolume> {
    const dirOf = (plugin: string) => join(this.podDir(uid), 'volumes', plugin, v.name);
    if (v.hostPath) {
      await checkHostPath(v.hostPath.path, v.hostPath.type ?? '');
      return { name: v.name, hostPath: v.hostPath.path, forceReadOnly: false };
    }
    if (v.emptyDir) {
      const dir = dirOf(PLUGIN.emptyDir);
      await mkdir(dir, { recursive: true });
      if (v.emptyDir.medium === 'Memory') {
        const size = memoryBytes(v.emptyDir.sizeLimit);
        await this.mounter.mountTmpfs(dir, size > 0 ? size : undefined);
      }
      // World-writable like the kubelet's, so non-root containers can use it.
      await chmod(dir, 0o777);
      return { name: v.name, hostPath: dir, forceReadOnly: false };
    }
    const kind = v.configMap
      ? PLUGIN.configMap
      : v.secret
        ? PLUGIN.secret
        : v.downwardAPI
          ? PLUGIN.downwardAPI
          : v.projected
            ? PLUGIN.projected
            : undefined;
    const payload = volumePayload(pod, v, inputs);
    if (kind === undefined || payload === undefined) {
      const type = Object.keys(v).find((k) => k !== 'name') ?? 'none';
      throw new MountError(v.name, `volume type "${type}" is not supported by skiff yet`);
    }
    const dir = dirOf(kind);
    await mkdir(dir, { recursive: true });
    if (kind === PLUGIN.secret) await this.mounter.mountTmpfs(dir);
    if (await writePayload(dir, payload)) {
      this.log.debug('Wrote volume files', { pod: uid, volume: v.name, files: payload.size });
    }
    return { name: v.name, hostPath: dir, forceReadOnly: true };
  }

  private async subPath(vol: PreparedVolume, subPath: string, container: string): Promise<string> {
    const fail = (why: string) =>
      new SyncError(
        'CreateContainerConfigError',
        `failed to prepare subPath for volumeMount "${vol.name}" of container "${container}": ${why}`,
      );
    try {
      checkedPath(subPath);
    } catch (err) {
      throw fail(err instanceof Error ? err.message : String(err));
    }
    const target = join(vol.hostPath, subPath);
    await mkdir(target, { recursive: true }).catch(() => {
      // A file (e.g. a configMap key) is fine as it is; realpath below decides.
    });
    const [root, real] = await Promise.all([realpath(vol.hostPath), realpath(target)]).catch(
      (err: unknown) => {
        throw fail(err instanceof Error ? err.message : String(err));
      },
    );
    const rel = relative(root, real);
    // Inside the volume unless the way from its root goes up (".." itself or "../...").
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw fail(`subPath escapes the volume (${real})`);
    }
    return real;
  }
}

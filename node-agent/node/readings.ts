/**
 * Reading the machine: NodeReadings from systeminformation, node:os and
 * /proc. Static facts (CPU count, machine and boot IDs, OS image, kernel,
 * node IP) are read once; memory, disk, PIDs and the runtime version on
 * every read(), which the status loop calls every 10 s, so each read must
 * stay cheap and fork nothing. Measured on the 2-core test machine:
 *
 * - si.mem() reads /proc/meminfo (about 1 ms): meminfo.ts reads it the
 *   same way on every read, so the package need not stay loaded;
 * - si.uuid() forks one shell (about 12 ms): used once, with the package
 *   loaded for that moment only (system-information.ts);
 * - si.cpu() forks lscpu and dmidecode (50-90 ms) for a count that
 *   os.cpus().length gives at once: node:os instead;
 * - si.fsSize() forks df (20-45 ms) and lists every mount: fs.statfs on the
 *   data dir answers for exactly its filesystem, without a fork;
 * - si.osInfo() forks several commands (about 85 ms) and guesses the name:
 *   PRETTY_NAME of /etc/os-release is what the kubelet reports (via
 *   cadvisor); si.osInfo() only when that file has none;
 * - si.processes() walks /proc (about 200 ms): /proc/loadavg already
 *   counts the kernel's tasks.
 *
 * InternalIP: --node-ip, else the IPv4 address of the default route's
 * interface, else (a test node's namespace has no default route) the first
 * non-loopback IPv4 address; see node-ip.ts.
 */
import { readFile, statfs } from 'node:fs/promises';
import { cpus, hostname, networkInterfaces, release } from 'node:os';
import { readMemory } from './meminfo.ts';
import { chooseNodeIp, type NodeIpChoice } from './node-ip.ts';
import { goArch, type NodeReadings } from './node-object.ts';
import { withSystemInformation, type SystemInformation } from './system-information.ts';

/** A source of readings; tests may pass fixed ones. */
export interface ReadingsSource {
  /** Fresh readings; rejects when a required fact cannot be read (a missing data dir). */
  read(): Promise<NodeReadings>;
}

export interface SystemReadingsOptions {
  /** The agent's data dir: its filesystem is the node's ephemeral storage. */
  dataDir: string;
  /** --node-ip; chosen from the routes when absent. */
  nodeIp?: string;
  /** The Hostname address; os.hostname() when absent. */
  hostname?: string;
  kubeletPort: number;
  maxPods: number;
  kubeletVersion: string;
  /**
   * The runtime's "<name>://<version>" (e.g. "docker://20.10.24"). When it
   * fails, the last answer stands ("docker://Unknown" before any).
   */
  runtimeVersion: () => Promise<string>;
}

type Static = Pick<
  NodeReadings,
  | 'cpuCount'
  | 'hostname'
  | 'operatingSystem'
  | 'architecture'
  | 'kernelVersion'
  | 'osImage'
  | 'machineID'
  | 'systemUUID'
  | 'bootID'
  | 'nodeIp'
>;

/** NodeReadings of this machine. */
export class SystemReadings implements ReadingsSource {
  private readonly o: SystemReadingsOptions;
  private fixed: Promise<Static> | undefined;
  private runtime = 'docker://Unknown';
  /** How the node IP was chosen, once the first read() resolved. */
  nodeIpChoice: NodeIpChoice | undefined;

  constructor(o: SystemReadingsOptions) {
    this.o = o;
  }

  async read(): Promise<NodeReadings> {
    if (!this.fixed) {
      this.fixed = this.readStatic();
      this.fixed.catch(() => (this.fixed = undefined)); // a failed read is tried again next time
    }
    const [fixed, mem, disk, pids] = await Promise.all([
      this.fixed,
      readMemory(),
      this.readDisk(),
      readPids(),
      this.readRuntime(),
    ]);
    return {
      ...fixed,
      memoryBytes: mem.totalBytes,
      // MemAvailable: the kernel's estimate of memory new work can use (the
      // kubelet uses capacity less the root cgroup's working set; close to it).
      memoryAvailableBytes: mem.availableBytes,
      ...disk,
      ...pids,
      containerRuntimeVersion: this.runtime,
      kubeletVersion: this.o.kubeletVersion,
      kubeletPort: this.o.kubeletPort,
      maxPods: this.o.maxPods,
    };
  }

  private async readStatic(): Promise<Static> {
    const [[uuid, osImage], bootID, routes] = await Promise.all([
      withSystemInformation((si) => Promise.all([si.uuid(), readOsImage(si)])),
      readText('/proc/sys/kernel/random/boot_id'),
      readText('/proc/net/route'),
    ]);
    this.nodeIpChoice = chooseNodeIp(this.o.nodeIp, routes, networkInterfaces());
    return {
      cpuCount: cpus().length,
      hostname: this.o.hostname ?? hostname(),
      operatingSystem: 'linux',
      architecture: goArch(process.arch),
      kernelVersion: release(),
      osImage,
      machineID: uuid.os,
      systemUUID: uuid.hardware,
      bootID: bootID.trim(),
      nodeIp: this.nodeIpChoice.ip,
    };
  }

  private async readDisk(): Promise<
    Pick<NodeReadings, 'ephemeralStorageBytes' | 'diskAvailablePercent'>
  > {
    let s;
    try {
      s = await statfs(this.o.dataDir);
    } catch (err) {
      throw new Error(
        `cannot read the filesystem of the data dir ${this.o.dataDir}: create it or pass another --data-dir`,
        { cause: err },
      );
    }
    // f_blocks and f_bavail in f_bsize units (what df reports as size and available).
    const size = s.blocks * s.bsize;
    const available = s.bavail * s.bsize;
    return {
      ephemeralStorageBytes: size,
      diskAvailablePercent: size > 0 ? (available / size) * 100 : 0,
    };
  }

  private async readRuntime(): Promise<void> {
    try {
      this.runtime = await this.o.runtimeVersion();
    } catch {
      // The runtime's health is reported through Ready; the version stays as last seen.
    }
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** PRETTY_NAME of /etc/os-release (as cadvisor reads it), else systeminformation's distro and release. */
async function readOsImage(si: SystemInformation): Promise<string> {
  const text = await readText('/etc/os-release');
  const m = /^PRETTY_NAME=(["']?)(.*)\1\s*$/m.exec(text);
  if (m?.[2]) return m[2];
  const os = await si.osInfo();
  return [os.distro, os.release].filter(Boolean).join(' ') || 'Linux';
}

/**
 * Tasks in use (the 4th field of /proc/loadavg, "running/total") and the
 * kernel's limit: min(pid_max, threads-max), as the kubelet's rlimit stats.
 */
async function readPids(): Promise<Pick<NodeReadings, 'pidsInUse' | 'pidMax'>> {
  const [loadavg, pidMax, threadsMax] = await Promise.all([
    readText('/proc/loadavg'),
    readText('/proc/sys/kernel/pid_max'),
    readText('/proc/sys/kernel/threads-max'),
  ]);
  const total = Number(loadavg.split(/\s+/)[3]?.split('/')[1]);
  const limits = [Number(pidMax), Number(threadsMax)].filter((n) => Number.isFinite(n) && n > 0);
  return {
    pidsInUse: Number.isFinite(total) ? total : 0,
    pidMax: limits.length > 0 ? Math.min(...limits) : 0,
  };
}

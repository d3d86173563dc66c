/**
 * Pod spec → Docker create options (pure). One function for the sandbox
 * (the pause container that owns the pod's network and IPC namespaces) and
 * one for app and init containers, which join the sandbox's namespaces with
 * `container:<sandbox id>` as dockershim did.
 */
import { posix } from 'node:path';
import type Docker from 'dockerode';
import type { Container, Pod } from '../../../control-plane/api/types.ts';
import { parseQuantity } from '../../../control-plane/api/validation/quantity.ts';
import { HASH_VERSION, hashContainer } from '../container-hash.ts';
import { envLookup, expandVars } from '../expansion.ts';
import { SANDBOX_CONTAINER_NAME, containerEngineName, containerLabels } from './labels.ts';
import type { ContainerRunConfig, SandboxConfig } from './runtime.ts';

/** CFS period used with CPU limits (Kubernetes' default 100 ms). */
export const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const MIN_QUOTA_US = 1_000;
// Kubernetes' defaults: containerLogMaxSize 10Mi, containerLogMaxFiles 5.
const LOG_CONFIG = { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '5' } };

/** CPU shares for a request of `milliCpu` (kubelet's MilliCPUToShares). */
export function cpuShares(milliCpu: number): number {
  if (milliCpu <= 0) return MIN_SHARES;
  const shares = Math.floor((milliCpu * 1024) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** CFS quota for a limit of `milliCpu` over `periodUs`; 0 means no limit (MilliCPUToQuota). */
export function cpuQuota(milliCpu: number, periodUs = CPU_PERIOD_US): number {
  if (milliCpu <= 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milliCpu * periodUs) / 1000));
}

/** Millicores of a cpu quantity, rounded up as Quantity.MilliValue does; 0 when unset. */
export function milliCpu(q: string | number | undefined): number {
  const cores = q === undefined ? undefined : parseQuantity(q);
  return cores === undefined ? 0 : Math.ceil(cores * 1000 - 1e-9);
}

/** Bytes of a memory quantity; 0 when unset. */
export function memoryBytes(q: string | number | undefined): number {
  const bytes = q === undefined ? undefined : parseQuantity(q);
  return bytes === undefined ? 0 : Math.ceil(bytes - 1e-9);
}

/** Docker's resource settings for a container's requests and limits. */
export function containerResources(c: Container): Docker.HostConfig {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const memory = memoryBytes(lim.memory);
  const quota = cpuQuota(milliCpu(lim.cpu));
  return {
    CpuShares: cpuShares(milliCpu(req.cpu ?? lim.cpu)),
    ...(quota > 0 ? { CpuQuota: quota, CpuPeriod: CPU_PERIOD_US } : {}),
    // Memory and swap equal: a container never swaps (as dockershim did).
    ...(memory > 0 ? { Memory: memory, MemorySwap: memory } : {}),
  };
}

/** The pod's hostname: spec.hostname or the pod name, cut to 63 characters. */
export function podHostname(pod: Pod): string {
  const name = pod.spec.hostname || pod.metadata.name || '';
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[-.]+$/, '');
}

export interface SandboxOptionsInput {
  pod: Pod;
  config: SandboxConfig;
  nodeName: string;
  /** The pause image. */
  image: string;
}

/** Create options of a pod's sandbox container. */
export function sandboxCreateOptions(input: SandboxOptionsInput): Docker.ContainerCreateOptions {
  const { pod, config } = input;
  const spec = pod.spec;
  const dns = config.dns;
  return {
    name: containerEngineName(pod, SANDBOX_CONTAINER_NAME, config.attempt),
    Image: input.image,
    Hostname: spec.hostNetwork ? undefined : podHostname(pod),
    Labels: containerLabels(pod, {
      containerName: SANDBOX_CONTAINER_NAME,
      attempt: config.attempt,
      nodeName: input.nodeName,
      hash: '',
      hashVersion: '',
    }),
    HostConfig: {
      NetworkMode: spec.hostNetwork ? 'host' : config.network,
      // "shareable" lets the app containers join this IPC namespace.
      IpcMode: spec.hostIPC ? 'host' : 'shareable',
      ...(spec.hostPID ? { PidMode: 'host' } : {}),
      RestartPolicy: { Name: 'no' },
      LogConfig: LOG_CONFIG,
      CpuShares: MIN_SHARES,
      ...(dns ? { Dns: dns.servers, DnsSearch: dns.searches, DnsOptions: dns.options } : {}),
      ...(spec.hostAliases?.length
        ? {
            ExtraHosts: spec.hostAliases.flatMap((a) =>
              (a.hostnames ?? []).map((h) => `${h}:${a.ip}`),
            ),
          }
        : {}),
    },
  };
}

export interface ContainerOptionsInput {
  pod: Pod;
  container: Container;
  sandboxId: string;
  attempt: number;
  nodeName: string;
  config: ContainerRunConfig;
}

/** Create options of an app or init container joined to the sandbox `sandboxId`. */
export function containerCreateOptions(
  input: ContainerOptionsInput,
): Docker.ContainerCreateOptions {
  const { pod, container: c, config } = input;
  const lookup = envLookup(config.env);
  const expand = (list: readonly string[]) => list.map((s) => expandVars(s, lookup));
  const joined = `container:${input.sandboxId}`;
  return {
    name: containerEngineName(pod, c.name, input.attempt),
    Image: config.image,
    // command replaces the image's ENTRYPOINT and drops its CMD, args replace
    // CMD only: Docker merges exactly this way when Entrypoint is given.
    ...(c.command?.length ? { Entrypoint: expand(c.command) } : {}),
    ...(c.args?.length ? { Cmd: expand(c.args) } : {}),
    Env: config.env.map((e) => `${e.name}=${e.value}`),
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
    ...userOption(pod, c),
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    StdinOnce: c.stdinOnce === true,
    // No ExposedPorts: the container joins the sandbox's network, and Docker refuses
    // "port exposing" with a container network mode. Ports are informational here.
    Labels: containerLabels(pod, {
      containerName: c.name,
      attempt: input.attempt,
      nodeName: input.nodeName,
      hash: hashContainer(c),
      hashVersion: HASH_VERSION,
    }),
    HostConfig: {
      NetworkMode: joined,
      IpcMode: joined,
      ...(pod.spec.shareProcessNamespace ? { PidMode: joined } : {}),
      Binds: binds(config),
      RestartPolicy: { Name: 'no' },
      LogConfig: LOG_CONFIG,
      ...containerResources(c),
      ...securityOptions(pod, c),
    },
  };
}

/** Where a container reads its resolver configuration. */
export const RESOLV_CONF_PATH = '/etc/resolv.conf';

// The volume mounts, then the pod's resolv.conf, unless a volumeMount already
// covers /etc/resolv.conf (containerd's CRI skips its own mount the same way).
function binds(config: ContainerRunConfig): string[] {
  const list = config.mounts.map(
    (m) => `${m.hostPath}:${m.containerPath}${m.readOnly ? ':ro' : ''}`,
  );
  const own = config.mounts.some((m) => posix.normalize(m.containerPath) === RESOLV_CONF_PATH);
  if (config.resolvConf && !own) list.push(`${config.resolvConf}:${RESOLV_CONF_PATH}:ro`);
  return list;
}

// securityContext.runAsUser/runAsGroup (container over pod) → User "uid[:gid]".
function userOption(pod: Pod, c: Container): { User?: string } {
  const uid = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? pod.spec.securityContext?.runAsGroup;
  if (uid === undefined) return {};
  return { User: gid === undefined ? String(uid) : `${uid}:${gid}` };
}

function securityOptions(pod: Pod, c: Container): Docker.HostConfig {
  const sc = c.securityContext ?? {};
  const psc = pod.spec.securityContext ?? {};
  const groups = [
    ...(psc.supplementalGroups ?? []),
    ...(psc.fsGroup !== undefined ? [psc.fsGroup] : []),
  ];
  return {
    ...(sc.privileged ? { Privileged: true } : {}),
    ...(sc.readOnlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
    ...(sc.capabilities?.add?.length ? { CapAdd: sc.capabilities.add } : {}),
    ...(sc.capabilities?.drop?.length ? { CapDrop: sc.capabilities.drop } : {}),
    ...(sc.allowPrivilegeEscalation === false ? { SecurityOpt: ['no-new-privileges'] } : {}),
    ...(groups.length ? { GroupAdd: groups.map(String) } : {}),
  };
}

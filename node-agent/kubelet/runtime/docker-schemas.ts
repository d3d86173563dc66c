/**
 * The parts of Docker's answers the runtime reads, as interfaces with a
 * hand-written shape check each: every answer is `unknown` until
 * `checkDocker` accepts it, and the interfaces below are all the adapter
 * trusts afterwards. Fields Docker versions disagree on (Labels may be
 * null, Networks may be missing) are typed so. Fields not listed are
 * ignored, whatever they hold.
 *
 * Hand-written rather than typebox: compiling typebox loads ~700 modules
 * (~17 MB RSS) into the agent for these few checks (issue 4).
 */
import { MAX_API_VERSION, MIN_API_VERSION } from './docker-version.ts';

/**
 * How one value must look. `kind` names it for errors ("an integer");
 * `test` checks the value itself; `inside` (objects, arrays, records)
 * checks what it holds and returns the first problem with its field path.
 */
export interface Shape<T> {
  readonly kind: string;
  readonly test: (value: unknown) => boolean;
  readonly inside?: (value: unknown, path: string) => string | undefined;
  /** Never set: carries T to `checkDocker`'s result. */
  readonly type?: T;
}

/** A property that may be absent (or undefined). */
interface Optional<T> {
  readonly optional: Shape<T>;
}

/** One Shape per property of T: optional properties take `optional(…)`. */
type Fields<T> = {
  [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? Optional<T[K]> : Shape<T[K]>;
};

const string: Shape<string> = { kind: 'a string', test: (v) => typeof v === 'string' };
const boolean: Shape<boolean> = { kind: 'a boolean', test: (v) => typeof v === 'boolean' };
const number: Shape<number> = { kind: 'a number', test: Number.isFinite };
const integer: Shape<number> = { kind: 'an integer', test: Number.isInteger };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `path.key`, or `key` at the top. */
function field(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The first problem of `value` against `shape`, named by `path`. */
function problemOf<T>(shape: Shape<T>, value: unknown, path: string): string | undefined {
  if (!shape.test(value)) {
    const at = path === '' ? 'the answer' : path;
    return value === undefined
      ? `${at} is missing`
      : `${at} is not ${shape.kind} (got ${describe(value)})`;
  }
  return shape.inside?.(value, path);
}

/** A short, bounded rendering of a wrong value for the error. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function optional<T>(shape: Shape<T>): Optional<T | undefined> {
  return { optional: shape };
}

function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return {
    kind: `${shape.kind} or null`,
    test: (v) => v === null || shape.test(v),
    inside: (v, path) => (v === null ? undefined : shape.inside?.(v, path)),
  };
}

/** An object with (at least) these properties; others are ignored. */
function object<T>(fields: Fields<T>): Shape<T> {
  const entries = Object.entries(fields) as [string, Shape<unknown> | Optional<unknown>][];
  return {
    kind: 'an object',
    test: isObject,
    inside: (v, path) => {
      const o = v as Record<string, unknown>;
      for (const [key, f] of entries) {
        const isOptional = 'optional' in f;
        if (isOptional && o[key] === undefined) continue;
        const p = problemOf(isOptional ? f.optional : f, o[key], field(path, key));
        if (p !== undefined) return p;
      }
      return undefined;
    },
  };
}

function array<T>(item: Shape<T>): Shape<T[]> {
  return {
    kind: 'an array',
    test: Array.isArray,
    inside: (v, path) => {
      const items = v as unknown[];
      for (let i = 0; i < items.length; i++) {
        const p = problemOf(item, items[i], `${path}[${i}]`);
        if (p !== undefined) return p;
      }
      return undefined;
    },
  };
}

/** An object used as a map: any keys, every value of `value`'s shape. */
function record<T>(value: Shape<T>): Shape<Record<string, T>> {
  return {
    kind: 'an object',
    test: isObject,
    inside: (v, path) => {
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        const p = problemOf(value, item, `${path}[${JSON.stringify(key)}]`);
        if (p !== undefined) return p;
      }
      return undefined;
    },
  };
}

/** Container or engine-event labels; some engines send null for none. */
type Labels = Record<string, string> | null;
const labels = nullable(record(string));

/** NetworkSettings.Networks: by network name; missing or null on some engines. */
type Networks = Record<string, { IPAddress?: string }> | null;
const networks = optional(
  nullable(record(object<{ IPAddress?: string }>({ IPAddress: optional(string) }))),
);

/** HostConfig as the adapter reads it (inspect and list). */
export interface HostConfigPart {
  NetworkMode?: string;
}
const hostConfig = optional(object<HostConfigPart>({ NetworkMode: optional(string) }));

/** NetworkSettings as the adapter reads it (inspect and list). */
export interface NetworkSettingsPart {
  Networks?: Networks;
}
const networkSettings = optional(object<NetworkSettingsPart>({ Networks: networks }));

/** State of GET /containers/{id}/json */
export interface ContainerState {
  Status: string;
  Running: boolean;
  OOMKilled: boolean;
  ExitCode: number;
  Error?: string;
  StartedAt: string;
  FinishedAt: string;
}

/** Config of GET /containers/{id}/json */
export interface ContainerConfig {
  Image: string;
  Labels?: Labels;
  Tty?: boolean;
}

/** GET /containers/{id}/json */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Image: string;
  State: ContainerState;
  Config: ContainerConfig;
  HostConfig?: HostConfigPart;
  NetworkSettings?: NetworkSettingsPart;
}
/** Shape of GET /containers/{id}/json */
export const ContainerInspect = object<ContainerInspect>({
  Id: string,
  Created: string,
  Image: string,
  State: object<ContainerState>({
    Status: string,
    Running: boolean,
    OOMKilled: boolean,
    ExitCode: integer,
    Error: optional(string),
    StartedAt: string,
    FinishedAt: string,
  }),
  Config: object<ContainerConfig>({
    Image: string,
    Labels: optional(labels),
    Tty: optional(boolean),
  }),
  HostConfig: hostConfig,
  NetworkSettings: networkSettings,
});

/** One entry of GET /containers/json */
export interface ContainerListEntry {
  Id: string;
  Image: string;
  ImageID: string;
  /** Unix seconds. */
  Created: number;
  State: string;
  Labels?: Labels;
  HostConfig?: HostConfigPart;
  NetworkSettings?: NetworkSettingsPart;
}
/** Shape of one entry of GET /containers/json */
export const ContainerListEntry = object<ContainerListEntry>({
  Id: string,
  Image: string,
  ImageID: string,
  Created: number,
  State: string,
  Labels: optional(labels),
  HostConfig: hostConfig,
  NetworkSettings: networkSettings,
});
/** Shape of GET /containers/json */
export const ContainerList = array(ContainerListEntry);

/** GET /images/{name}/json */
export interface ImageInspect {
  Id: string;
  RepoDigests?: string[] | null;
  RepoTags?: string[] | null;
}
/** Shape of GET /images/{name}/json */
export const ImageInspect = object<ImageInspect>({
  Id: string,
  RepoDigests: optional(nullable(array(string))),
  RepoTags: optional(nullable(array(string))),
});

/** GET /version */
export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
}
/** Shape of GET /version */
export const EngineVersion = object<EngineVersion>({
  Version: string,
  ApiVersion: string,
  MinAPIVersion: optional(string),
});

/** One IPAM pool of GET /networks/{id} */
export interface IpamPool {
  Subnet?: string;
  Gateway?: string;
}

/** GET /networks/{id} */
export interface NetworkInspect {
  Id: string;
  Name: string;
  IPAM: { Config?: IpamPool[] | null };
}
/** Shape of GET /networks/{id} */
export const NetworkInspect = object<NetworkInspect>({
  Id: string,
  Name: string,
  IPAM: object<NetworkInspect['IPAM']>({
    Config: optional(
      nullable(array(object<IpamPool>({ Subnet: optional(string), Gateway: optional(string) }))),
    ),
  }),
});

/** One line of GET /events */
export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Labels };
  /** Unix seconds. */
  time?: number;
  /** Unix nanoseconds (beyond 2^53: read it for ordering, not exactly). */
  timeNano?: number;
}
/** Shape of one line of GET /events */
export const EngineEvent = object<EngineEvent>({
  Type: string,
  Action: string,
  Actor: object<EngineEvent['Actor']>({ ID: string, Attributes: optional(labels) }),
  time: optional(number),
  timeNano: optional(number),
});

/** One line of a pull's progress stream. */
export interface PullLine {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}
/** Shape of one line of a pull's progress stream. */
export const PullLine = object<PullLine>({
  status: optional(string),
  id: optional(string),
  progress: optional(string),
  error: optional(string),
  errorDetail: optional(object<{ message?: string }>({ message: optional(string) })),
});

/** GET /exec/{id}/json */
export interface ExecInspect {
  Running: boolean;
  /** Null while the command runs. */
  ExitCode: number | null;
}
/** Shape of GET /exec/{id}/json */
export const ExecInspect = object<ExecInspect>({ Running: boolean, ExitCode: nullable(integer) });

/**
 * `value` typed as `shape`, or an Error naming `what` (the Docker call) and
 * the first offending field, e.g. `unexpected Docker answer to GET
 * /containers/x/json: State.ExitCode is not an integer (got "0")`: the
 * engine answered something this adapter does not know.
 */
export function checkDocker<T>(shape: Shape<T>, value: unknown, what: string): T {
  const problem = problemOf(shape, value, '');
  if (problem === undefined) return value as T;
  throw new Error(
    `unexpected Docker answer to ${what}: ${problem}; this agent knows Docker API ` +
      `${MIN_API_VERSION} to ${MAX_API_VERSION}: check the engine's with \`docker version\``,
  );
}

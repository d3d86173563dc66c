/**
 * How to reach a Docker engine and which API version to speak (pure).
 * Debian 12's engine is 20.10 (API 1.41); users may run Docker 28 or
 * later, and Docker 29 refuses API versions below 1.44, so the version is
 * negotiated like the docker CLI does: the engine's own version, capped at
 * the newest one this adapter was written against.
 */
import type Docker from 'dockerode';

/** The newest API version whose request shapes this adapter uses (Docker 28.x). */
export const MAX_API_VERSION = '1.48';
/** The oldest engine API this adapter supports (Docker 20.10). */
export const MIN_API_VERSION = '1.41';

/** Compares dotted version strings numerically ("1.41" < "1.48", "28.0.1" > "27.5"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * The API version to use with an engine that speaks `engineApi` (and
 * accepts nothing older than `engineMinApi`); throws when the engine is too
 * old or too new for this adapter.
 */
export function negotiateApiVersion(engineApi: string, engineMinApi?: string): string {
  if (compareVersions(engineApi, MIN_API_VERSION) < 0) {
    throw new Error(
      `Docker engine API ${engineApi} is older than ${MIN_API_VERSION} (Docker 20.10): upgrade the engine`,
    );
  }
  const chosen = compareVersions(engineApi, MAX_API_VERSION) < 0 ? engineApi : MAX_API_VERSION;
  if (engineMinApi && compareVersions(chosen, engineMinApi) < 0) {
    throw new Error(
      `Docker engine requires API ${engineMinApi} or newer but skiff speaks at most ${MAX_API_VERSION}: upgrade skiff`,
    );
  }
  return chosen;
}

/** dockerode's connection settings for a DOCKER_HOST-style address. */
export function dockerConnection(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const m = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(dockerHost);
  if (m) return { protocol: 'http', host: m[1], port: Number(m[2]) };
  throw new Error(
    `--docker-host "${dockerHost}" is not unix:///path/to/docker.sock or tcp://host:port`,
  );
}

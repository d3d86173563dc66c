/**
 * /version. skiff speaks the Kubernetes 1.32 API, so it reports 1.32 with
 * a "+skiff" build suffix (as k3s reports "v1.32.x+k3s1"): kubectl's
 * version-skew warning and version-picking wrappers then behave.
 */
import { arch, platform } from 'node:process';

export const KUBERNETES_VERSION = { major: '1', minor: '32', patch: '0' };
export const SKIFF_VERSION = '0.1.0';

export function versionInfo(): Record<string, string> {
  const k = KUBERNETES_VERSION;
  return {
    major: k.major,
    minor: k.minor,
    gitVersion: `v${k.major}.${k.minor}.${k.patch}+skiff${SKIFF_VERSION}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${platform}/${arch === 'x64' ? 'amd64' : arch}`,
  };
}

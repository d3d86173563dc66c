/**
 * What `skiff up` needs from the host before it creates anything: root (it
 * makes network namespaces, a bridge and iptables rules) and the programs
 * it runs. Each problem says what is missing and how to fix it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { REGISTRY_BIN } from './registry.ts';

const INSTALL_HINT = 'or run deploy/install-deps.sh, which installs everything skiff needs';

/** A program `skiff up` runs, and the Debian package that provides it. */
export interface RequiredProgram {
  /** A name looked up on PATH, or an absolute path. */
  program: string;
  pkg: string;
  /** What it is for, in the error. */
  purpose: string;
}

export const REQUIRED_PROGRAMS: readonly RequiredProgram[] = [
  { program: 'dockerd', pkg: 'docker.io', purpose: 'the Docker engine, one per node' },
  { program: 'containerd', pkg: 'containerd', purpose: "the Docker engine's runtime" },
  { program: 'nsenter', pkg: 'util-linux', purpose: 'runs dockerd and the agent in a node' },
  { program: 'ip', pkg: 'iproute2', purpose: 'creates the namespaces, veths and bridge' },
  { program: 'iptables', pkg: 'iptables', purpose: 'fences the bridge off the host network' },
  { program: 'sysctl', pkg: 'procps', purpose: 'turns proxy ARP and forwarding off' },
  { program: REGISTRY_BIN, pkg: 'docker-registry', purpose: 'the local image registry' },
  { program: '/bin/busybox', pkg: 'busybox-static', purpose: "the sample images' userland" },
  { program: 'curl', pkg: 'curl', purpose: 'asks the sample app through its service IP' },
];

/** What preflight looked at. */
export interface HostFacts {
  uid: number;
  /** The REQUIRED_PROGRAMS entries not found. */
  missing: readonly RequiredProgram[];
}

/** The host's facts: the effective uid and which required programs are missing. */
export function hostFacts(env: NodeJS.ProcessEnv = process.env): HostFacts {
  const path = env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin';
  return {
    uid: process.geteuid?.() ?? -1,
    missing: REQUIRED_PROGRAMS.filter((r) => findProgram(r.program, path) === undefined),
  };
}

/** The problems in `facts`, one operator-readable line each; [] when `skiff up` can run (pure). */
export function preflightProblems(facts: HostFacts): string[] {
  const problems: string[] = [];
  if (facts.uid !== 0) {
    problems.push(
      'not running as root: skiff up creates network namespaces and a bridge; run it as root (sudo npx skiff up)',
    );
  }
  const engine = facts.missing.filter((m) => m.pkg === 'docker.io' || m.pkg === 'containerd');
  if (engine.length > 0) {
    problems.push(
      `no Docker engine (${engine.map((m) => m.program).join(', ')} not found): install Debian's docker.io: apt-get install -y docker.io iptables conntrack (${INSTALL_HINT})`,
    );
  }
  for (const m of facts.missing) {
    if (engine.includes(m)) continue;
    problems.push(
      `${m.program} not found (${m.purpose}): apt-get install -y ${m.pkg} (${INSTALL_HINT})`,
    );
  }
  return problems;
}

/** The full path of `program` (absolute, or searched on `path`) if it is executable. */
export function findProgram(program: string, path: string): string | undefined {
  const candidates = program.startsWith('/')
    ? [program]
    : path
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => join(d, program));
  return candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

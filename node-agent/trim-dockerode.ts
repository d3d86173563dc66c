/**
 * Keeps two parts of dockerode out of the agent process: the BuildKit
 * session (dockerode/lib/session.js, which loads @grpc/grpc-js,
 * @grpc/proto-loader and protobufjs) and the ssh:// transport
 * (docker-modem/lib/ssh.js, which loads ssh2). Both are required when
 * dockerode loads, yet the agent never builds images and reaches Docker
 * only over unix:// or tcp:// (dockerConnection refuses anything else);
 * keeping them out saves about 8 MB of resident memory
 * (test/bench/parts/agent-import-rss.ts).
 *
 * How: a synchronous module hook (node:module registerHooks, Node 24) that
 * answers exactly those two files with a stand-in of the same shape that
 * fails with a clear error if ever called. Only `skiff agent` installs it,
 * before it loads dockerode; tests and other commands get dockerode whole.
 */
import { registerHooks } from 'node:module';

/** The files replaced, by the end of their resolved URL, and their stand-ins (CommonJS source). */
const STAND_INS: Record<string, string> = {
  '/node_modules/dockerode/lib/session.js': `module.exports = function withSession(docker, auth, handler) {
  handler(new Error('BuildKit sessions (buildImage version "2") are not available in skiff agent'));
};`,
  '/node_modules/docker-modem/lib/ssh.js': `module.exports = function () {
  throw new Error('ssh:// Docker hosts are not supported by skiff agent: use unix:// or tcp://');
};`,
};

const STAND_IN_QUERY = '?skiff-stand-in';
let installed = false;

/** The stand-in source for a resolved module URL, or undefined for every other module. */
export function standInFor(url: string): string | undefined {
  for (const [suffix, source] of Object.entries(STAND_INS)) if (url.endsWith(suffix)) return source;
  return undefined;
}

/** Installs the hook for the rest of this process; idempotent. Call before loading dockerode. */
export function trimDockerode(): void {
  if (installed) return;
  installed = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (standInFor(resolved.url) === undefined) return resolved;
      return { url: resolved.url + STAND_IN_QUERY, format: 'commonjs', shortCircuit: true };
    },
    load(url, context, nextLoad) {
      if (!url.endsWith(STAND_IN_QUERY)) return nextLoad(url, context);
      const source = standInFor(url.slice(0, -STAND_IN_QUERY.length));
      return { format: 'commonjs', source, shortCircuit: true };
    },
  });
}

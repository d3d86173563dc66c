/**
 * systeminformation for one piece of work, then let go. The agent asks it
 * only at start (machine and system UUID, the OS name when /etc/os-release
 * has none); its modules would otherwise stay loaded for the agent's whole
 * life, about 8 MB of resident memory (test/bench/parts/agent-import-rss.ts).
 */
import { createRequire } from 'node:module';

/** The systeminformation module. */
export type SystemInformation = typeof import('systeminformation');

const PACKAGE_DIR = '/node_modules/systeminformation/';

/**
 * Loads systeminformation, resolves with what `use` resolves with, and
 * then drops the package from the module cache, so that once `use` keeps
 * no reference the garbage collector can free it. A later call loads it
 * again (a few ms).
 */
export async function withSystemInformation<T>(
  use: (si: SystemInformation) => Promise<T>,
): Promise<T> {
  // A require of its own (CommonJS, unlike import()) so the package can be unloaded.
  const require = createRequire(import.meta.url);
  try {
    return await use(require('systeminformation') as SystemInformation);
  } finally {
    for (const key of Object.keys(require.cache)) {
      if (key.includes(PACKAGE_DIR)) delete require.cache[key];
    }
  }
}

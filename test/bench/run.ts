/**
 * `npm run bench -- <name>` runs test/bench/<name>.ts. Each benchmark prints
 * readable figures and ends with exactly one line holding a JSON object of
 * its figures (see lib.ts `report`), so runs can be compared.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'lib.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(
    `${name ? `no benchmark named "${name}". ` : ''}Usage: npm run bench -- <name>\n` +
      `Benchmarks: ${available.join(', ') || '(none)'}\n`,
  );
  process.exit(2);
}
await import(pathToFileURL(join(here, `${name}.ts`)).href);

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Loads the first of `candidates` (a .node file) that works; otherwise throws one error listing
 * every path tried and why it failed. The candidates are URLs made by the caller's own module
 * (`new URL('./x.node', import.meta.url)`), so they resolve beside a bundle and in the source tree.
 */
export function loadAddon(name: string, candidates: readonly URL[]): unknown {
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    try {
      return require(path);
    } catch (error) {
      failures.push(`${path}: ${firstLine(error)}`);
    }
  }
  throw new Error(`cannot load the ${name} native addon (build it with "npx nx run ${name}:build"); tried:\n  ${failures.join('\n  ')}`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}

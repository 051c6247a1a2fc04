// Makes the V8 code cache of a built CommonJS file (wrapped as @flannel-ts/code-cache expects) in a
// node process run with the app's node flags — V8 refuses a cache made under other flags — and
// checks in a second process that V8 takes it.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const MAKER = `import { compileWithCodeCache, writeCodeCache } from '@flannel-ts/code-cache';
const [mode, file] = process.argv.slice(2);
if (mode === 'check') {
  if (compileWithCodeCache(file).cache !== 'used') {
    console.error(\`\${file}: V8 does not take the code cache made for it\`);
    process.exit(1);
  }
} else await writeCodeCache(file, { run: mode === 'write-run' });
`;

/**
 * Writes `file`'s code cache beside it. `run`: evaluate the file first, so that the functions its
 * evaluation runs are compiled in the cache (not for a program's main module: that would run it).
 */
export async function makeCodeCache(root, file, { nodeFlags, run }) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'flannel-code-cache-'));
  try {
    const maker = path.join(tmp, 'make-code-cache.mjs');
    await build({
      stdin: { contents: MAKER, resolveDir: root, loader: 'js' },
      outfile: maker,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      tsconfig: path.join(root, 'tsconfig.base.json'),
      logLevel: 'warning',
    });
    for (const mode of [run ? 'write-run' : 'write', 'check']) {
      execFileSync(process.execPath, [...nodeFlags, maker, mode, file], { stdio: ['ignore', 'inherit', 'inherit'] });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// One CommonJS file for @flannel-ts/code-cache: the module code wrapped in the function require
// would wrap it in (its COMMONJS_FUNCTION_HEAD, so loading it copies no source string), named by
// its content hash: V8 checks only a source's length against a code cache, so a cache made for
// the file must never meet another content under its name.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const FUNCTION_HEAD = '(function (exports, require, module, __filename, __dirname) {';

/**
 * Bundles `entryPoint` as `<dir>/<stem>-<HASH>.cjs` (+ .map); returns its path. `prologue` goes
 * first inside the function (e.g. "use strict" and constants the code expects).
 */
export async function buildWrappedCommonJs({ root, entryPoint, dir, stem, plugins, prologue = '', define = {} }) {
  const result = await build({
    entryPoints: [entryPoint],
    outfile: path.join(dir, `${stem}.cjs`),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    plugins,
    define,
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: `${FUNCTION_HEAD}${prologue}` },
    footer: { js: '})' },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.cjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  const hash = createHash('sha256').update(js.contents).digest('hex').slice(0, 12).toUpperCase();
  const name = `${stem}-${hash}.cjs`;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), js.text.replace(`//# sourceMappingURL=${stem}.cjs.map`, `//# sourceMappingURL=${name}.map`));
  await writeFile(path.join(dir, `${name}.map`), map.contents);
  return path.join(dir, name);
}

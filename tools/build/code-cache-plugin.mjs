// etcd3 and gRPC take most of flanneld's start after Node's own, and a third of that is V8 parsing
// and compiling their 0.75 MB. Node 20 keeps no compile cache for ES modules, so libs/subnet's
// grpc-modules (what etcd-registry imports on demand) is built as one CommonJS file beside the
// chunks and loaded through @flannel-ts/code-cache, with a V8 code cache made at build time by
// this Node under the app's node flags (V8 refuses it under any other Node or flags; the file
// then compiles as usual). V8 compares only the source's length with the cache's, so the file is
// named by its content hash, like the chunks.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const IMPORTER = path.join('libs', 'subnet', 'src', 'etcd-registry.ts');

const MAKER = `import { requireWithCodeCache, writeCodeCache } from '@flannel-ts/code-cache';
const [mode, file] = process.argv.slice(2);
if (mode === 'write') await writeCodeCache(file);
else if (requireWithCodeCache(file).cache !== 'used') {
  console.error(\`\${file}: V8 does not take the code cache made for it\`);
  process.exit(1);
}
`;

/** The esbuild plugin for the app's bundle, and `emit` to run once it is built. */
export function codeCachedGrpc(root, { chunksDir, plugins }) {
  /** The CommonJS file, named by its content: a cache made for it never meets another content. */
  let file;
  const plugin = {
    name: 'code-cached-grpc',
    setup(b) {
      b.onResolve({ filter: /^\.\/grpc-modules\.js$/ }, (args) => {
        if (!args.importer.endsWith(IMPORTER)) return undefined;
        return { path: 'etcd-grpc', namespace: 'code-cached' };
      });
      b.onLoad({ filter: /.*/, namespace: 'code-cached' }, async () => {
        file ??= await buildCommonJs(root, chunksDir, plugins);
        return {
          contents: `import { fileURLToPath } from 'node:url';
import { requireWithCodeCache } from '@flannel-ts/code-cache';
const loaded = requireWithCodeCache(fileURLToPath(new URL('./${path.basename(file)}', import.meta.url)));
export const { etcd3, grpc } = loaded.exports;
export const codeCache = loaded.cache;
`,
          resolveDir: root,
          loader: 'js',
        };
      });
    },
  };
  /** Makes the code cache of the CommonJS file, if the bundle loads it. */
  async function emit({ nodeFlags }) {
    if (!file) return;
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
      // The app's own flags: V8 keys the cache to them. A second process checks that V8 takes it.
      for (const mode of ['write', 'check']) execFileSync(process.execPath, [...nodeFlags, maker, mode, file], { stdio: ['ignore', 'inherit', 'inherit'] });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  return { plugin, emit };
}

/** Builds libs/subnet's grpc-modules as one wrapped CommonJS file in `dir`; returns its path. */
async function buildCommonJs(root, dir, plugins) {
  const result = await build({
    entryPoints: [path.join(root, 'libs', 'subnet', 'src', 'grpc-modules.ts')],
    outfile: path.join(dir, 'etcd-grpc.cjs'),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    plugins,
    minifyWhitespace: true,
    minifySyntax: true,
    // Wrapped as @flannel-ts/code-cache expects (its COMMONJS_FUNCTION_HEAD): no copy of the source at load.
    banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
    footer: { js: '})' },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.cjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  const hash = createHash('sha256').update(js.contents).digest('hex').slice(0, 12).toUpperCase();
  const name = `etcd-grpc-${hash}.cjs`;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), js.text.replace('//# sourceMappingURL=etcd-grpc.cjs.map', `//# sourceMappingURL=${name}.map`));
  await writeFile(path.join(dir, `${name}.map`), map.contents);
  return path.join(dir, name);
}

// etcd3 and gRPC take most of flanneld's start after Node's own, and a third of that is V8 parsing
// and compiling their 0.75 MB. Node 20 keeps no compile cache for ES modules, so libs/subnet's
// grpc-modules (what etcd-registry imports on demand) is built as one CommonJS file beside the
// chunks and loaded through @flannel-ts/code-cache, with a V8 code cache made at build time by
// this Node under the app's node flags (V8 refuses it under any other Node or flags; the file
// then compiles as usual).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const FILE = 'etcd-grpc.cjs';
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
export function codeCachedGrpc(root) {
  let used = false;
  const plugin = {
    name: 'code-cached-grpc',
    setup(b) {
      b.onResolve({ filter: /^\.\/grpc-modules\.js$/ }, (args) => {
        if (!args.importer.endsWith(IMPORTER)) return undefined;
        used = true;
        return { path: FILE, namespace: 'code-cached' };
      });
      b.onLoad({ filter: /.*/, namespace: 'code-cached' }, () => ({
        contents: `import { fileURLToPath } from 'node:url';
import { requireWithCodeCache } from '@flannel-ts/code-cache';
const loaded = requireWithCodeCache(fileURLToPath(new URL('./${FILE}', import.meta.url)));
export const { etcd3, grpc } = loaded.exports;
export const codeCache = loaded.cache;
`,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
  /** Builds the CommonJS file into `dir` (where the chunk that loads it lies) and its code cache. */
  async function emit(dir, { nodeFlags, plugins }) {
    if (!used) return;
    const file = path.join(dir, FILE);
    await build({
      entryPoints: [path.join(root, 'libs', 'subnet', 'src', 'grpc-modules.ts')],
      outfile: file,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      tsconfig: path.join(root, 'tsconfig.base.json'),
      plugins,
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: 'linked',
      logLevel: 'warning',
    });
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

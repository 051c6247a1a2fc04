// etcd3 and gRPC take most of an etcd client's start after Node's own (flannelctl's), and a third
// of that is V8 parsing and compiling their 0.75 MB. Node 20 keeps no compile cache for ES modules,
// so in an ES module bundle libs/subnet's grpc-modules (what etcd-registry imports on demand) is
// built as one CommonJS file beside the chunks and loaded through @flannel-ts/code-cache, with a V8
// code cache made at build time by this Node under the app's node flags (V8 refuses it under any
// other Node or flags; the file then compiles as usual).
import path from 'node:path';
import { makeCodeCache } from './make-code-cache.mjs';
import { buildWrappedCommonJs } from './wrapped-commonjs.mjs';

const IMPORTER = path.join('libs', 'subnet', 'src', 'etcd-registry.ts');

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
    if (file) await makeCodeCache(root, file, { nodeFlags, run: true });
  }
  return { plugin, emit };
}

/** Builds libs/subnet's grpc-modules as one wrapped CommonJS file in `dir`; returns its path. */
function buildCommonJs(root, dir, plugins) {
  const entryPoint = path.join(root, 'libs', 'subnet', 'src', 'grpc-modules.ts');
  return buildWrappedCommonJs({ root, entryPoint, dir, stem: 'etcd-grpc', plugins });
}

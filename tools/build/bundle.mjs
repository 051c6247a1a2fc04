#!/usr/bin/env node
// Bundles one app into dist/apps/<app>/<binary>: a single ESM file with a shebang, its npm
// dependencies included, so a binary starts by reading one file instead of resolving hundreds.
// Native addons are copied beside the bundle, where their loaders look.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCachedGrpc } from './code-cache-plugin.mjs';
import { makeCodeCache } from './make-code-cache.mjs';
import { buildWrappedCommonJs } from './wrapped-commonjs.mjs';
import { etcd3ProtosPlugin } from './etcd3-protos-plugin.mjs';
import { googleCloudPlugin } from './google-cloud-plugin.mjs';
import { grpcIpv6Plugin } from './grpc-ipv6-plugin.mjs';
import { longPlugin } from './long-plugin.mjs';
import { pinoPlugin } from './pino-plugin.mjs';
import { protoLoaderPlugin } from './proto-loader-plugin.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [app] = process.argv.slice(2);
if (!app) {
  console.error('usage: bundle.mjs <app>');
  process.exit(2);
}
const appDir = path.join(root, 'apps', app);
const appPkg = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8'));
const outDir = path.join(root, 'dist', 'apps', app);
const CHUNKS = 'chunks';
await mkdir(outDir, { recursive: true });

// An app may ask for node flags (package.json "flannelNodeFlags", e.g. the backends' --lite-mode:
// they only run control-plane JS, and V8's lite mode keeps them under 50 MiB RSS). They go into the
// shebang, so they apply however the binary is started.
const nodeFlags = appPkg.flannelNodeFlags ?? [];
const shebang = nodeFlags.length ? `#!/usr/bin/env -S node ${nodeFlags.join(' ')}` : '#!/usr/bin/env node';

// An app without lazily loaded code may ask for one CommonJS file ("flannelModuleFormat": "commonjs",
// the datapath backends): Node then never loads its ES module loader (1.4 MiB less peak RSS, measured).
// A package.json beside it says so, whatever the directory above declares.
const commonjs = appPkg.flannelModuleFormat === 'commonjs';

// Code behind a dynamic import() (etcd3 and gRPC, the health server, cloud SDKs) goes into chunks/
// loaded when first needed, so a binary compiles only what its start needs (splitting).
await rm(path.join(outDir, CHUNKS), { recursive: true, force: true });
const plugins = [etcd3ProtosPlugin(root), googleCloudPlugin(root), protoLoaderPlugin(root), longPlugin(), grpcIpv6Plugin(), pinoPlugin()];
// ES module bundles load etcd3 and gRPC from a code-cached CommonJS file (the backends need neither).
const codeCached = commonjs ? undefined : codeCachedGrpc(root, { chunksDir: path.join(outDir, CHUNKS), plugins });
// An app may run its main module from a V8 code cache ("flannelEntry": the binary's source, which
// hands the main module to @flannel-ts/code-cache): the main module is built as a wrapped CommonJS
// file named by its content hash beside the binary, with the build's cache of its top level.
const entry = appPkg.flannelEntry;
if (entry && !commonjs) throw new Error(`${app}: "flannelEntry" needs "flannelModuleFormat": "commonjs"`);
const moduleUrl = `const __flannelModuleUrl = require('node:url').pathToFileURL(__filename).href;`;
for (const [binary] of Object.entries(appPkg.bin ?? {})) {
  const outfile = path.join(outDir, binary);
  let mainFile;
  await removeBuilt(outDir, binary);
  if (entry) {
    mainFile = await buildWrappedCommonJs({
      root,
      entryPoint: path.join(appDir, 'src', 'main.ts'),
      dir: outDir,
      stem: binary,
      plugins,
      prologue: `"use strict";${moduleUrl}`,
      define: { 'import.meta.url': '__flannelModuleUrl' },
    });
  }
  await build({
    entryPoints: { [binary]: path.join(appDir, entry ?? path.join('src', 'main.ts')) },
    outdir: outDir,
    splitting: !commonjs,
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: commonjs ? 'cjs' : 'esm',
    // Addon loaders find their .node files from import.meta.url: in one CommonJS file, the file itself.
    define: {
      ...(commonjs ? { 'import.meta.url': '__flannelModuleUrl' } : {}),
      ...(mainFile ? { FLANNEL_MAIN_FILE: JSON.stringify(path.basename(mainFile)) } : {}),
    },
    tsconfig: path.join(root, 'tsconfig.base.json'),
    external: ['*.node'],
    plugins: codeCached ? [codeCached.plugin, ...plugins] : plugins,
    // CommonJS dependencies inside an ESM bundle still call require() for Node's built-ins. The
    // shebang lands in the chunks too, where it is a comment (hashbang grammar).
    banner: {
      js: commonjs
        ? `${shebang}\n"use strict";\n${moduleUrl}`
        : `${shebang}\nimport { createRequire as __flannelCreateRequire } from 'node:module';\nconst require = __flannelCreateRequire(import.meta.url);`,
    },
    // Whitespace and syntax only: the source is kept on the heap and parsed at every start, names stay.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // The entry point is the binary itself: no extension, as users type it.
  const code = await readFile(`${outfile}.mjs`, 'utf8');
  await writeFile(outfile, code.replace(`//# sourceMappingURL=${binary}.mjs.map`, `//# sourceMappingURL=${binary}.map`));
  await rename(`${outfile}.mjs.map`, `${outfile}.map`);
  await rm(`${outfile}.mjs`);
  await chmod(outfile, 0o755);
  if (mainFile) await makeCodeCache(root, mainFile, { nodeFlags, run: false });
}
await codeCached?.emit({ nodeFlags });
await (commonjs ? writeFile(path.join(outDir, 'package.json'), '{ "type": "commonjs" }\n') : rm(path.join(outDir, 'package.json'), { force: true }));
for (const addon of appPkg.flannelNativeAddons ?? []) {
  await copyFile(path.join(root, addon), path.join(outDir, path.basename(addon)));
}

/** The main modules (and their maps and caches) earlier builds left for `binary`. */
async function removeBuilt(dir, binary) {
  for (const name of await readdir(dir)) {
    if (/^.+-[0-9A-F]{12}\.cjs(\.map|\.v8cache)?$/.test(name) && name.startsWith(`${binary}-`)) await rm(path.join(dir, name));
  }
}

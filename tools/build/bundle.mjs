#!/usr/bin/env node
// Bundles one app into dist/apps/<app>/<binary>: a single ESM file with a shebang, so a
// binary starts by reading one file. npm dependencies stay external (etcd3 loads .proto
// files at run time); native addons are copied beside the bundle, where their loaders look.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [app] = process.argv.slice(2);
if (!app) {
  console.error('usage: bundle.mjs <app>');
  process.exit(2);
}
const appDir = path.join(root, 'apps', app);
const appPkg = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8'));
const rootPkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const outDir = path.join(root, 'dist', 'apps', app);
await mkdir(outDir, { recursive: true });

for (const [binary] of Object.entries(appPkg.bin ?? {})) {
  const outfile = path.join(outDir, binary);
  await build({
    entryPoints: [path.join(appDir, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    external: [...Object.keys(rootPkg.dependencies ?? {}), '*.node'],
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
}
for (const addon of appPkg.flannelNativeAddons ?? []) {
  await copyFile(path.join(root, addon), path.join(outDir, path.basename(addon)));
}

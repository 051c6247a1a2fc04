#!/usr/bin/env node
// Bundles one app into dist/apps/<app>/<binary>: a single ESM file with a shebang, its npm
// dependencies included, so a binary starts by reading one file instead of resolving hundreds.
// Native addons are copied beside the bundle, where their loaders look.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcd3ProtosPlugin } from './etcd3-protos-plugin.mjs';
import { googleCloudPlugin } from './google-cloud-plugin.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [app] = process.argv.slice(2);
if (!app) {
  console.error('usage: bundle.mjs <app>');
  process.exit(2);
}
const appDir = path.join(root, 'apps', app);
const appPkg = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8'));
const outDir = path.join(root, 'dist', 'apps', app);
await mkdir(outDir, { recursive: true });

// An app may ask for node flags (package.json "flannelNodeFlags", e.g. the backends' --lite-mode:
// they only run control-plane JS, and V8's lite mode keeps them under 50 MiB RSS). They go into the
// shebang, so they apply however the binary is started.
const nodeFlags = appPkg.flannelNodeFlags ?? [];
const shebang = nodeFlags.length ? `#!/usr/bin/env -S node ${nodeFlags.join(' ')}` : '#!/usr/bin/env node';

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
    external: ['*.node'],
    plugins: [etcd3ProtosPlugin(root), googleCloudPlugin(root)],
    // CommonJS dependencies inside an ESM bundle still call require() for Node's built-ins.
    banner: {
      js: `${shebang}\nimport { createRequire as __flannelCreateRequire } from 'node:module';\nconst require = __flannelCreateRequire(import.meta.url);`,
    },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
}
for (const addon of appPkg.flannelNativeAddons ?? []) {
  await copyFile(path.join(root, addon), path.join(outDir, path.basename(addon)));
}

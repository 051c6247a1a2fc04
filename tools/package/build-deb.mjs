#!/usr/bin/env node
// `npm run package [-- --out DIR]`: the built apps (dist/apps, from `npm run build`) as one .deb.
// Every app with a bundle is packed, so a new app ships without a change here.
import { $, argv, echo, fs, path, tmpdir } from 'zx';
import { fileURLToPath } from 'node:url';

$.quiet = true;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const distApps = path.resolve(argv.dist ?? path.join(root, 'dist/apps'));
const outDir = path.resolve(argv.out ?? path.join(root, 'dist/package'));

const NAME = 'flannel-ts';
/** Where the apps' directories go, each as built: flanneld finds its backends at ../backend-<name>/. */
const LIB_DIR = `/usr/lib/${NAME}`;
/** The CNI plugin's binary goes to the CNI plugin directory under the name runtimes know it by. */
const CNI_APP = 'cni-flannel';

function fail(line) {
  echo(`package: ${line}`);
  process.exit(1);
}

/** An app's programs: its executable files that are not native addons. */
async function programsOf(dir) {
  const programs = [];
  for (const name of await fs.readdir(dir)) {
    const stat = await fs.stat(path.join(dir, name));
    if (stat.isFile() && (stat.mode & 0o111) !== 0 && !name.endsWith('.node')) programs.push(name);
  }
  return programs.sort();
}

/** Every app of dist/apps with a bundle: name and programs. */
async function builtApps() {
  if (!(await fs.pathExists(distApps))) fail(`${distApps} is missing: run "npm run build" first`);
  const apps = [];
  for (const name of (await fs.readdir(distApps)).sort()) {
    const dir = path.join(distApps, name);
    if (!(await fs.stat(dir)).isDirectory()) continue;
    const programs = await programsOf(dir);
    if (programs.length > 0) apps.push({ name, dir, programs });
  }
  if (!apps.some((app) => app.programs.includes('flanneld'))) fail(`no flanneld in ${distApps}: run "npm run build" first`);
  return apps;
}

/** A symlink relative to its own directory, so the tree also works unpacked anywhere. */
async function relativeLink(stage, linkPath, targetPath) {
  const at = path.join(stage, linkPath);
  await fs.mkdirp(path.dirname(at));
  await fs.symlink(path.relative(path.dirname(linkPath), targetPath), at);
}

function control({ version, arch, installedKb }) {
  return [
    `Package: ${NAME}`,
    `Version: ${version}`,
    `Architecture: ${arch}`,
    'Maintainer: flannel-ts developers <flannel-ts@localhost>',
    `Installed-Size: ${installedKb}`,
    'Depends: nodejs (>= 20), iptables | nftables',
    'Recommends: containernetworking-plugins',
    'Suggests: etcd-server, docker.io | containerd',
    'Section: net',
    'Priority: optional',
    'Description: flannel overlay network daemon, in TypeScript',
    ' flanneld leases one subnet per host from a network in etcd, writes it to',
    ' subnet.env for Docker or a CNI runtime, and through a backend (host-gw, vxlan,',
    ' udp, aws-vpc, gce) makes packets between the subnets flow. Interoperates with',
    ' Go flanneld v0.20 in one cluster.',
    '',
  ].join('\n');
}

/** systemd picks up new or changed units; nothing is enabled or started. */
const RELOAD_SYSTEMD = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
`;

async function installedSizeKb(stage) {
  const { stdout } = await $`du -sk --exclude=DEBIAN ${stage}`;
  return Number(stdout.split(/\s/)[0]);
}

const { version } = await fs.readJson(path.join(root, 'package.json'));
const arch = (await $`dpkg --print-architecture`).stdout.trim();
const apps = await builtApps();
const stage = tmpdir(`${NAME}-deb`);

for (const app of apps) {
  const libDir = path.join(LIB_DIR, app.name);
  await fs.copy(app.dir, path.join(stage, libDir));
  for (const program of app.programs) {
    const target = path.join(libDir, program);
    if (app.name === CNI_APP) await relativeLink(stage, `/usr/lib/cni/${program}`, target);
    else await relativeLink(stage, `/usr/bin/${program}`, target);
  }
}
await fs.copy(path.join(here, 'systemd'), path.join(stage, 'lib/systemd/system'));
await fs.copy(path.join(here, 'etc/flanneld.default'), path.join(stage, 'etc/default/flanneld'));
const docDir = path.join(stage, `usr/share/doc/${NAME}`);
await fs.copy(path.join(root, 'README.md'), path.join(docDir, 'README.md'));
await fs.copy(path.join(root, 'docs'), path.join(docDir, 'docs'));
await fs.copy(path.join(here, 'etc/instance.env.example'), path.join(docDir, 'examples/instance.env'));

const debian = path.join(stage, 'DEBIAN');
await fs.mkdirp(debian);
await fs.writeFile(path.join(debian, 'control'), control({ version, arch, installedKb: await installedSizeKb(stage) }));
await fs.writeFile(path.join(debian, 'conffiles'), '/etc/default/flanneld\n');
for (const script of ['postinst', 'postrm']) await fs.writeFile(path.join(debian, script), RELOAD_SYSTEMD, { mode: 0o755 });
await $`chmod -R u=rwX,go=rX ${stage}`;

await fs.mkdirp(outDir);
const deb = path.join(outDir, `${NAME}_${version}_${arch}.deb`);
await $`dpkg-deb --root-owner-group -Zxz --build ${stage} ${deb}`;
await fs.remove(stage);
echo(deb);

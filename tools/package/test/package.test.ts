import { accessSync, constants, existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  CONFIG_KEY,
  createLab,
  run,
  runChecked,
  startLabEtcd,
  tempDir,
  waitFor,
  type Lab,
  type TempDir,
} from '@flannel-ts/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIST_APPS = path.join(root, 'dist/apps');
const VERSION = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
/** Long enough for a loaded machine: a hang guard, not a speed check. */
const HANG_GUARD_MS = 300_000;

let tmp: TempDir;
/** The package unpacked: its files under `x`, its control files under `x/DEBIAN`. */
let x: string;
let deb: string;

beforeAll(async () => {
  assertBuilt();
  tmp = tempDir('package-test');
  const out = await runChecked('node', [path.join(root, 'tools/package/build-deb.mjs'), '--out', path.join(tmp.path, 'out')], {
    timeoutMs: HANG_GUARD_MS,
  });
  deb = out.trim().split('\n').at(-1)!;
  x = path.join(tmp.path, 'x');
  await runChecked('dpkg-deb', ['-x', deb, x]);
  await runChecked('dpkg-deb', ['-e', deb, path.join(x, 'DEBIAN')]);
});
afterAll(async () => {
  await tmp?.remove();
});

const inPackage = (p: string) => path.join(x, p);
const isExecutable = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Every app the build bundled, with its programs (executables that are not addons). */
function builtApps(): Array<{ name: string; files: string[]; programs: string[] }> {
  return readdirSync(DIST_APPS)
    .filter((name) => statSync(path.join(DIST_APPS, name)).isDirectory())
    .map((name) => {
      const files = readdirSync(path.join(DIST_APPS, name));
      const programs = files.filter((f) => !f.endsWith('.node') && statSync(path.join(DIST_APPS, name, f)).isFile() && isExecutable(path.join(DIST_APPS, name, f)));
      return { name, files, programs };
    })
    .filter((app) => app.programs.length > 0);
}

/** The values of `key=` lines in a unit file. */
function unitValues(unit: string, key: string): string[] {
  return unit.split('\n').flatMap((line) => (line.startsWith(`${key}=`) ? [line.slice(key.length + 1)] : []));
}

describe('the .deb of npm run package', () => {
  it('is named, versioned and made for this machine, with its dependencies and the env file as a conffile', async () => {
    const arch = (await runChecked('dpkg', ['--print-architecture'])).trim();
    expect(path.basename(deb)).toBe(`flannel-ts_${VERSION}_${arch}.deb`);
    const control = readFileSync(inPackage('DEBIAN/control'), 'utf8');
    expect(control).toContain('Package: flannel-ts\n');
    expect(control).toContain(`Version: ${VERSION}\n`);
    expect(control).toContain(`Architecture: ${arch}\n`);
    expect(control).toMatch(/^Depends: nodejs \(>= 20\), iptables \| nftables$/m);
    expect(readFileSync(inPackage('DEBIAN/conffiles'), 'utf8')).toBe('/etc/default/flanneld\n');
    expect(readFileSync(inPackage('etc/default/flanneld'), 'utf8')).toMatch(/^#FLANNELD_ETCD_ENDPOINTS=/m);
  });

  it('holds every bundled app under /usr/lib/flannel-ts, its programs linked from /usr/bin and the CNI plugin from /usr/lib/cni', () => {
    const apps = builtApps();
    expect(apps.map((a) => a.name)).toEqual(expect.arrayContaining(['supervisor', 'backend-hostgw', 'cni-flannel', 'mk-docker-opts', 'route-manager']));
    for (const app of apps) {
      for (const file of app.files) expect(existsSync(inPackage(`usr/lib/flannel-ts/${app.name}/${file}`)), `${app.name}/${file}`).toBe(true);
      for (const program of app.programs) {
        const link = inPackage(app.name === 'cni-flannel' ? `usr/lib/cni/${program}` : `usr/bin/${program}`);
        expect(lstatSync(link).isSymbolicLink(), link).toBe(true);
        expect(realpathSync(link)).toBe(realpathSync(inPackage(`usr/lib/flannel-ts/${app.name}/${program}`)));
        expect(isExecutable(link), link).toBe(true);
      }
    }
    expect(existsSync(inPackage('usr/lib/cni/flannel'))).toBe(true);
    expect(existsSync(inPackage('usr/bin/flannel'))).toBe(false);
  });

  it('has units whose ExecStart and EnvironmentFile are files of the package', () => {
    const unit = readFileSync(inPackage('lib/systemd/system/flanneld.service'), 'utf8');
    const template = readFileSync(inPackage('lib/systemd/system/flanneld@.service'), 'utf8');
    for (const u of [unit, template]) {
      expect(unitValues(u, 'Type')).toEqual(['notify']);
      expect(unitValues(u, 'Restart')).toEqual(['always']);
      const [exec] = unitValues(u, 'ExecStart');
      expect(isExecutable(inPackage(exec!.split(' ')[0]!))).toBe(true);
    }
    expect(unitValues(unit, 'EnvironmentFile')).toEqual(['-/etc/default/flanneld']);
    expect(existsSync(inPackage('etc/default/flanneld'))).toBe(true);
    expect(unitValues(unit, 'Before')).toEqual(['docker.service containerd.service']);
    expect(unitValues(template, 'EnvironmentFile')).toEqual(['/etc/flannel/%i.env']);
    expect(readFileSync(inPackage('usr/share/doc/flannel-ts/examples/instance.env'), 'utf8')).toMatch(/^FLANNELD_ETCD_PREFIX=/m);
  });

  it('runs flanneld, a backend and the CNI plugin through the unpacked links', async () => {
    const version = await run(inPackage('usr/bin/flanneld'), ['--version']);
    expect(version.exitCode).toBe(0);
    expect((version.stdout + version.stderr).trim()).toBe(VERSION);
    const help = await run(inPackage('usr/bin/flannel-backend-hostgw'), ['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout + help.stderr).toMatch(/-iface/);
    const cni = await run(inPackage('usr/lib/cni/flannel'), [], { env: { CNI_COMMAND: 'VERSION' } });
    expect(cni.exitCode).toBe(0);
    expect(JSON.parse(cni.stdout)).toMatchObject({ supportedVersions: expect.arrayContaining(['0.4.0']) });
  });

  it('passes systemd-analyze verify', async (ctx) => {
    const which = await run('sh', ['-c', 'command -v systemd-analyze']);
    if (which.exitCode !== 0) {
      console.log('systemd-analyze is not installed: the units are not verified');
      ctx.skip();
    }
    // verify checks that ExecStart's program exists: point it at the unpacked one.
    const units = path.join(tmp.path, 'units');
    await mkdir(units, { recursive: true });
    for (const name of ['flanneld.service', 'flanneld@.service']) {
      const text = readFileSync(inPackage(`lib/systemd/system/${name}`), 'utf8');
      await writeFile(path.join(units, name), text.replaceAll('/usr/bin/flanneld', inPackage('usr/bin/flanneld')));
    }
    const verify = await run('systemd-analyze', ['verify', '--man=no', path.join(units, 'flanneld.service'), path.join(units, 'flanneld@blue.service')]);
    expect(verify.stderr).toBe('');
    expect(verify.exitCode).toBe(0);
  });
});

describe('the unpacked flanneld on a host', () => {
  let lab: Lab | undefined;
  afterAll(async () => {
    await lab?.destroy();
  });

  it('finds its backend in the installed layout and leases', async () => {
    lab = await createLab({ hosts: 1 });
    const etcd = await startLabEtcd(lab);
    await etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}']);
    const dir = path.join(tmp.path, 'host');
    await mkdir(dir, { recursive: true });
    const logFile = path.join(dir, 'flanneld.log');
    const subnetFile = path.join(dir, 'subnet.env');
    const proc = lab.spawn(
      lab.hosts[0]!.ns,
      [inPackage('usr/bin/flanneld'), `--etcd-endpoints=http://${lab.switchIp}:2379`, `--subnet-file=${subnetFile}`, `--state-dir=${path.join(dir, 'state')}`, '--iface=eth0'],
      { stdout: logFile, stderr: logFile },
    );
    try {
      await waitFor(() => existsSync(subnetFile), { what: 'the subnet file' });
      const started = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { msg: string }).msg)
        .find((msg) => msg.startsWith('Started backend '));
      expect(started).toMatch(new RegExp(`^Started backend ${inPackage('usr/bin/flannel-backend-hostgw').replaceAll('.', '\\.')} \\(pid \\d+\\)$`));
    } finally {
      await proc.stop();
    }
    expect((await proc.exited).code).toBe(0);
  });
});

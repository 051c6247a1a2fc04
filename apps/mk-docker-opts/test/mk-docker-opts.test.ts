import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLab, tempDir, type Lab, type TempDir } from '@flannel-ts/testing';
import { GOLDEN_CASES, goldenUrl } from './golden-cases.js';

// The built binary, run inside a lab host namespace: the routing table it checks is the lab's.
const BINARY = fileURLToPath(new URL('../../../dist/apps/mk-docker-opts/mk-docker-opts', import.meta.url));
const golden = (name: string) => readFileSync(goldenUrl(name), 'utf8');

let lab: Lab;
let hostNs: string;
let tmp: TempDir;
let caseNumber = 0;

/** Runs mk-docker-opts in the lab host with a clean DOCKER_* environment plus `env`. */
const mkDockerOpts = (args: readonly string[], env: Record<string, string> = {}) =>
  lab.exec(hostNs, [BINARY, ...args], { env: { DOCKER_OPTS: undefined, DOCKER_NETWORK_OPTIONS: undefined, ...env } });
/** A fresh temp path for a case. */
const freshPath = (name: string) => path.join(tmp.path, `${++caseNumber}-${name}`);
const subnetFile = (content: string) => {
  const file = freshPath('subnet.env');
  writeFileSync(file, content);
  return file;
};

beforeAll(async () => {
  if (!existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: build it with "NX_DAEMON=false NX_NO_CLOUD=true npx nx run mk-docker-opts:build"`);
  }
  tmp = tempDir('mk-docker-opts-test');
  lab = await createLab({ hosts: 1 });
  hostNs = lab.hosts[0]!.ns;
});

afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

describe('mk-docker-opts (built binary)', () => {
  for (const c of GOLDEN_CASES) {
    const how = [c.args.join(' ') || 'no options', ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`)].join(', ');
    test(`golden ${c.golden} (${how})`, async () => {
      const out = freshPath('docker_opts.env');
      writeFileSync(out, 'OLD CONTENT THAT MUST GO\n'.repeat(20));
      const result = await mkDockerOpts(['-f', subnetFile(golden(c.subnetFile)), '-d', out, ...c.args], { ...c.env });
      expect(result, result.stderr).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
      expect(readFileSync(out, 'utf8')).toBe(golden(c.golden));
    });
  }

  test('the output is replaced atomically: no temp file is left, mode 0644', async () => {
    const dir = freshPath('out');
    await lab.exec(hostNs, ['mkdir', dir]);
    const out = path.join(dir, 'docker_opts.env');
    expect((await mkDockerOpts(['-f', subnetFile(golden('subnet.env')), '-d', out])).exitCode).toBe(0);
    expect(readdirSync(dir)).toEqual(['docker_opts.env']);
    expect((await lab.exec(hostNs, ['stat', '-c', '%a', out])).stdout.trim()).toBe('644');
  });

  test('FLANNEL_IPMASQ other than true/false: error, exit 1, the output file untouched', async () => {
    const out = freshPath('docker_opts.env');
    writeFileSync(out, 'KEEP\n');
    const input = subnetFile('FLANNEL_SUBNET=10.244.7.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=yes\n');
    const result = await mkDockerOpts(['-f', input, '-d', out]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Invalid value of FLANNEL_IPMASQ: yes');
    expect(readFileSync(out, 'utf8')).toBe('KEEP\n');
    // -m leaves --ip-masq out, so the value does not matter.
    expect((await mkDockerOpts(['-f', input, '-d', out, '-m', '-c'])).exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('DOCKER_OPTS=" --bip=10.244.7.1/24 --mtu=1450"\n');
  });

  test('-h, -? and unknown options: usage on stderr, exit 1, nothing written', async () => {
    const out = freshPath('docker_opts.env');
    for (const args of [['-h'], ['-?'], ['-x'], ['-f']]) {
      const result = await mkDockerOpts([...args, '-d', out]);
      expect(result.exitCode, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('Usage: mk-docker-opts [-f FLANNEL-ENV-FILE] [-d DOCKER-ENV-FILE] [-i] [-c] [-m] [-k COMBINED-KEY]');
    }
    expect((await mkDockerOpts(['-x'])).stderr).toMatch(/^mk-docker-opts: unknown option -x\nUsage: /);
    expect(existsSync(out)).toBe(false);
  });

  test('a missing flannel env file is an error naming it', async () => {
    const missing = freshPath('none.env');
    const result = await mkDockerOpts(['-f', missing, '-d', freshPath('docker_opts.env')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`flannel env file ${missing} does not exist`);
  });

  test('refuses when the routing table already routes the subnet via a gateway', async () => {
    const input = subnetFile(golden('subnet.env'));
    const out = freshPath('docker_opts.env');
    await lab.exec(hostNs, ['ip', 'route', 'add', '10.244.7.0/24', 'via', '192.0.2.1', 'dev', 'eth0']);
    try {
      const refused = await mkDockerOpts(['-f', input, '-d', out]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toBe('Your routing table already contains the subnet: 10.244.7.0/24 via 192.0.2.1 dev eth0');
      // As the original: the file is written first, the check comes after.
      expect(readFileSync(out, 'utf8')).toBe(golden('no-options.env'));
    } finally {
      await lab.exec(hostNs, ['ip', 'route', 'del', '10.244.7.0/24', 'via', '192.0.2.1', 'dev', 'eth0']);
    }
    // A directly connected route to the subnet (Docker's own bridge) is no conflict.
    await lab.exec(hostNs, ['ip', 'route', 'add', '10.244.7.0/24', 'dev', 'eth0']);
    try {
      expect((await mkDockerOpts(['-f', input, '-d', out])).exitCode).toBe(0);
    } finally {
      await lab.exec(hostNs, ['ip', 'route', 'del', '10.244.7.0/24', 'dev', 'eth0']);
    }
  });
});

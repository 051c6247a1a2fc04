import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createLab, tempDir, type Lab, type TempDir } from '@flannel-ts/testing';
import { assertPluginBuilt, expectSuccess, runCni, type CniCall } from './cni-harness.js';

// The plugin's side of the delegate protocol, seen by a recording stand-in for `bridge`
// (fixtures/recording-delegate.sh): exact bytes stored and sent, environment, error codes.
const golden = (name: string) => readFileSync(new URL(`golden/${name}`, import.meta.url), 'utf8');
const FAKE_RESULT = '{"cniVersion":"0.3.1","ips":[{"version":"4","address":"10.244.7.9/24","gateway":"10.244.7.1"}]}';

let lab: Lab;
let hostNs: string;
let tmp: TempDir;
let subnetFile: string;
let dataDir: string;
let pluginDir: string;
let cniPath: string;

/** The network config of the golden example (test/golden/README.md). */
const goldenConfig = (overrides: object = {}) => ({
  cniVersion: '0.3.1',
  name: 'cbr0',
  type: 'flannel',
  subnetFile,
  dataDir,
  delegate: { hairpinMode: true, isDefaultGateway: true },
  ...overrides,
});
const cni = (call: Omit<CniCall, 'cniPath'> & { cniPath?: string }) =>
  runCni(lab, hostNs, { netns: '/var/run/netns/unused', cniPath, ...call });
const recorded = (command: string) => readFileSync(path.join(pluginDir, `${command}.stdin`), 'utf8');
const recordedEnv = (command: string) => readFileSync(path.join(pluginDir, `${command}.env`), 'utf8').trim().split('\n');
const stateFile = (id: string) => path.join(dataDir, id);

beforeAll(async () => {
  assertPluginBuilt();
  tmp = tempDir('cni-delegate-protocol');
  subnetFile = path.join(tmp.path, 'subnet.env');
  dataDir = path.join(tmp.path, 'state', 'flannel');
  pluginDir = path.join(tmp.path, 'plugins');
  mkdirSync(pluginDir);
  copyFileSync(new URL('fixtures/recording-delegate.sh', import.meta.url), path.join(pluginDir, 'bridge'));
  chmodSync(path.join(pluginDir, 'bridge'), 0o755);
  // Searched in order: a missing directory, an empty one, then ours.
  mkdirSync(path.join(tmp.path, 'empty'));
  cniPath = [path.join(tmp.path, 'missing'), path.join(tmp.path, 'empty'), pluginDir].join(':');
  lab = await createLab({ hosts: 1 });
  hostNs = lab.hosts[0]!.ns;
});

afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

beforeEach(() => {
  writeFileSync(subnetFile, golden('subnet-cbr0.env'));
  for (const file of readdirSync(pluginDir)) if (file !== 'bridge') rmSync(path.join(pluginDir, file));
});

describe('golden delegate config', () => {
  test('ADD stores exactly the original plugin\'s bytes, hands them to the delegate and prints its result', async () => {
    const reply = expectSuccess(await cni({ command: 'ADD', containerId: 'golden1', config: goldenConfig() }), 'ADD');
    expect(reply.stdout).toBe(FAKE_RESULT);
    expect(readFileSync(stateFile('golden1'), 'utf8')).toBe(golden('delegate-cbr0.json'));
    expect(recorded('ADD')).toBe(golden('delegate-cbr0.json'));
    expect(statSync(stateFile('golden1')).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dataDir)).toEqual(['golden1']); // no temp file left behind
    // The delegate runs with the runtime's environment.
    expect(recordedEnv('ADD')).toEqual([
      'CNI_COMMAND=ADD',
      'CNI_CONTAINERID=golden1',
      'CNI_IFNAME=eth0',
      'CNI_NETNS=/var/run/netns/unused',
      `CNI_PATH=${cniPath}`,
    ]);
  });

  test('DEL sends the stored bytes, not a config rebuilt from the (changed) subnet file, then removes them', async () => {
    expectSuccess(await cni({ command: 'ADD', containerId: 'golden2', config: goldenConfig() }), 'ADD');
    writeFileSync(subnetFile, 'FLANNEL_NETWORK=10.99.0.0/16\n');
    const reply = expectSuccess(await cni({ command: 'DEL', containerId: 'golden2', config: goldenConfig() }), 'DEL');
    expect(reply.stdout).toBe('');
    expect(recorded('DEL')).toBe(golden('delegate-cbr0.json'));
    expect(recordedEnv('DEL')).toContain('CNI_COMMAND=DEL');
    expect(existsSync(stateFile('golden2'))).toBe(false);
  });

  test('CHECK sends the stored config with the request\'s cniVersion and prevResult', async () => {
    expectSuccess(await cni({ command: 'ADD', containerId: 'golden3', config: goldenConfig() }), 'ADD');
    const prevResult = JSON.parse(FAKE_RESULT) as object;
    expectSuccess(await cni({ command: 'CHECK', containerId: 'golden3', config: goldenConfig({ cniVersion: '0.4.0', prevResult }) }), 'CHECK');
    // Keys sorted at every level, prevResult's too.
    const expected =
      '{"cniVersion":"0.4.0","hairpinMode":true,"ipMasq":true,"ipam":{"ranges":[[{"subnet":"10.244.7.0/24"}]],' +
      '"routes":[{"dst":"10.244.0.0/16"}],"type":"host-local"},"isDefaultGateway":true,"isGateway":true,"mtu":1450,' +
      '"name":"cbr0","prevResult":{"cniVersion":"0.3.1","ips":[{"address":"10.244.7.9/24","gateway":"10.244.7.1","version":"4"}]},' +
      '"type":"bridge"}';
    expect(recorded('CHECK')).toBe(expected);
    expect(recordedEnv('CHECK')).toContain('CNI_COMMAND=CHECK');
  });
});

describe('delegate failures', () => {
  test('the delegate\'s CNI error code comes through; a failed DEL keeps the state for the retry', async () => {
    expectSuccess(await cni({ command: 'ADD', containerId: 'fails', config: goldenConfig() }), 'ADD');
    const failed = await cni({ command: 'DEL', containerId: 'fails', config: goldenConfig(), env: { FAKE_DELEGATE_FAIL: '42' } });
    expect(failed.exitCode).toBe(1);
    expect(failed.json).toEqual({
      cniVersion: '0.3.1',
      code: 42,
      msg: `delegate plugin ${path.join(pluginDir, 'bridge')} DEL: fake failure`,
      details: 'from the recording delegate',
    });
    expect(existsSync(stateFile('fails'))).toBe(true);
    expectSuccess(await cni({ command: 'DEL', containerId: 'fails', config: goldenConfig() }), 'DEL retry');
    expect(existsSync(stateFile('fails'))).toBe(false);
  });

  test('a failed ADD leaves its config stored, so the runtime\'s DEL can clean up', async () => {
    const failed = await cni({ command: 'ADD', containerId: 'addfails', config: goldenConfig(), env: { FAKE_DELEGATE_FAIL: '11' } });
    expect(failed.json).toMatchObject({ code: 11 });
    expect(readFileSync(stateFile('addfails'), 'utf8')).toBe(golden('delegate-cbr0.json'));
    expectSuccess(await cni({ command: 'DEL', containerId: 'addfails', config: goldenConfig() }), 'DEL');
    expect(existsSync(stateFile('addfails'))).toBe(false);
  });

  test('a delegate not on CNI_PATH names the paths searched and stores nothing', async () => {
    const reply = await cni({ command: 'ADD', containerId: 'noplugin', config: goldenConfig({ delegate: { type: 'nosuchplugin' } }) });
    expect(reply.json).toMatchObject({ code: 999, msg: 'failed to find delegate plugin "nosuchplugin" in CNI_PATH' });
    expect(reply.json?.['details']).toContain(path.join(pluginDir, 'nosuchplugin'));
    expect(existsSync(stateFile('noplugin'))).toBe(false);
  });
});

describe('errors', () => {
  const expectError = async (call: Parameters<typeof cni>[0], code: number, msg: string | RegExp) => {
    const reply = await cni(call);
    expect(reply.exitCode).toBe(1);
    expect(reply.json?.['code']).toBe(code);
    expect(reply.json?.['msg']).toMatch(msg);
    if (call.containerId !== undefined) expect(existsSync(stateFile(call.containerId))).toBe(false);
    return reply;
  };

  test('a subnet file without the keys ADD needs: named, nothing stored', async () => {
    writeFileSync(subnetFile, 'FLANNEL_SUBNET=10.244.7.1/24\n');
    await expectError({ command: 'ADD', containerId: 'e1', config: goldenConfig() }, 100, `subnet file ${subnetFile} is missing FLANNEL_NETWORK, FLANNEL_MTU, FLANNEL_IPMASQ`);
  });

  test('no subnet file: try again later (code 11)', async () => {
    rmSync(subnetFile);
    await expectError({ command: 'ADD', containerId: 'e2', config: goldenConfig() }, 11, `subnet file ${subnetFile} does not exist`);
  });

  test('stdin that is not JSON: decode failure (code 6), reported in the latest version', async () => {
    const reply = await expectError({ command: 'ADD', containerId: 'e3', config: '{"cniVersion":"0.3.1",' }, 6, /not valid JSON/);
    expect(reply.json?.['cniVersion']).toBe('1.0.0');
  });

  test('delegate.name, delegate.ipam and a non-string delegate.type: invalid config (code 7)', async () => {
    for (const [delegate, msg] of [
      [{ name: 'x' }, '"delegate.name" must not be set'],
      [{ ipam: { type: 'host-local' } }, '"delegate.ipam" must not be set'],
      [{ type: ['bridge'] }, '"delegate.type" must be a string, got an array'],
    ] as const) {
      const reply = await expectError({ command: 'ADD', containerId: 'e4', config: goldenConfig({ delegate }) }, 7, msg);
      expect(reply.json?.['cniVersion']).toBe('0.3.1');
    }
  });

  test('an unsupported cniVersion: incompatible (code 1)', async () => {
    const reply = await expectError({ command: 'ADD', containerId: 'e5', config: goldenConfig({ cniVersion: '9.9.9' }) }, 1, 'incompatible CNI versions');
    expect(reply.json?.['details']).toContain('config is "9.9.9"');
  });

  test('missing CNI_* variables: invalid environment (code 4)', async () => {
    await expectError({ command: 'ADD', config: goldenConfig(), ifname: '' }, 4, 'required env variables missing: CNI_CONTAINERID, CNI_IFNAME');
    await expectError({ command: 'ADD', containerId: '../escape', config: goldenConfig() }, 4, /invalid characters in CNI_CONTAINERID/);
  });

  test('a container id too long for its state file, or malformed: invalid environment (code 4), quoted cut short', async () => {
    // 242 characters is the longest whose state file (and its temp file) can be written.
    const longest = 'a'.repeat(242);
    expectSuccess(await cni({ command: 'ADD', containerId: longest, config: goldenConfig() }), 'ADD with a 242-character id');
    expect(existsSync(stateFile(longest))).toBe(true);
    expectSuccess(await cni({ command: 'DEL', containerId: longest, config: goldenConfig() }), 'DEL with a 242-character id');
    expect(existsSync(stateFile(longest))).toBe(false);

    const tooLong = (n: number) => `CNI_CONTAINERID "${'b'.repeat(64)}…" (${n} chars) is too long (at most 242 characters)`;
    for (const command of ['ADD', 'DEL'] as const) {
      const reply = await expectError({ command, containerId: 'b'.repeat(243), config: goldenConfig() }, 4, tooLong(243));
      expect(reply.json?.['details']).toContain('255 bytes');
      await expectError({ command, containerId: 'b'.repeat(300), config: goldenConfig() }, 4, tooLong(300));
    }
    await expectError(
      { command: 'CHECK', containerId: 'b'.repeat(300), config: goldenConfig({ cniVersion: '0.4.0', prevResult: {} }) },
      4,
      tooLong(300),
    );
    const malformed = `${'c'.repeat(200)}/x`;
    await expectError({ command: 'ADD', containerId: malformed, config: goldenConfig() }, 4, `invalid characters in CNI_CONTAINERID "${'c'.repeat(64)}…" (202 chars)`);
  });

  test('runtimeConfig goes to the delegate; stdout has only the result', async () => {
    const runtimeConfig = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] };
    const reply = expectSuccess(await cni({ command: 'ADD', containerId: 'rc', config: goldenConfig({ runtimeConfig }) }), 'ADD');
    expect(reply.stdout).toBe(FAKE_RESULT);
    expect(JSON.parse(recorded('ADD'))).toMatchObject({ runtimeConfig });
    expect(recorded('ADD')).toContain('"runtimeConfig":{"portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}]}');
  });
});

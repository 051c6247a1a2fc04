import { parseIP4Net } from '@flannel-ts/ip';
import { parseSubnetEnv } from '@flannel-ts/subnet-env';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assertDelegatable, buildDelegateConfig } from './delegate-config.js';
import { parseFlannelEnv, type FlannelEnv } from './flannel-env.js';
import { goJson } from './go-json.js';
import { parseNetConf } from './net-conf.js';
import { thrownCniError } from '../test/thrown-cni-error.js';

const golden = (name: string) => readFileSync(new URL(`../test/golden/${name}`, import.meta.url), 'utf8');
const ENV: FlannelEnv = parseFlannelEnv(parseSubnetEnv(golden('subnet-cbr0.env')), 'subnet-cbr0.env');
const conf = (fields: object) => parseNetConf(JSON.stringify({ cniVersion: '0.3.1', name: 'cbr0', type: 'flannel', ...fields }));
const build = (fields: object, env: FlannelEnv = ENV) => buildDelegateConfig(conf(fields), env);

describe('buildDelegateConfig', () => {
  test('golden: the original plugin\'s delegate bytes for the cbr0 example', () => {
    const input = conf({ subnetFile: '/f', dataDir: '/d', delegate: { hairpinMode: true, isDefaultGateway: true } });
    expect(goJson(buildDelegateConfig(input, ENV))).toBe(golden('delegate-cbr0.json'));
  });

  test('defaults: bridge, name, ipMasq = !FLANNEL_IPMASQ, mtu, isGateway, host-local', () => {
    expect(build({})).toEqual({
      cniVersion: '0.3.1',
      name: 'cbr0',
      type: 'bridge',
      ipMasq: true,
      mtu: 1450,
      isGateway: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.7.0/24' }]], routes: [{ dst: '10.244.0.0/16' }] },
    });
    expect(build({}, { ...ENV, ipMasq: true })['ipMasq']).toBe(false);
  });

  test('the delegate section wins for ipMasq, mtu, isGateway and type', () => {
    const delegate = build({ delegate: { ipMasq: false, mtu: 1400, isGateway: false, bridge: 'cni0' } });
    expect(delegate).toMatchObject({ ipMasq: false, mtu: 1400, isGateway: false, bridge: 'cni0' });
    // isGateway is the bridge plugin's option only.
    expect(build({ delegate: { type: 'ptp' } })).not.toHaveProperty('isGateway');
    expect(build({ delegate: { type: 'ptp' } })['type']).toBe('ptp');
  });

  test('cniVersion is copied only when the config has one, and overrides the delegate\'s', () => {
    expect(buildDelegateConfig(parseNetConf('{"name":"n"}'), ENV)).not.toHaveProperty('cniVersion');
    expect(build({ cniVersion: '1.0.0', delegate: { cniVersion: '0.3.1' } })['cniVersion']).toBe('1.0.0');
  });

  test('runtimeConfig is copied through', () => {
    const runtimeConfig = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] };
    expect(build({ runtimeConfig })['runtimeConfig']).toEqual(runtimeConfig);
  });

  test('top-level ipam is merged: its keys kept, ranges set, routes appended to, one per network', () => {
    const env = { ...ENV, networks: [...ENV.networks, parseIP4Net('10.96.0.0/12')] };
    const ipam = build({ ipam: { dataDir: '/tmp/x', ranges: [[{ subnet: '192.0.2.0/24' }]], routes: [{ dst: '0.0.0.0/0', gw: '10.244.7.1' }] } }, env)['ipam'];
    expect(ipam).toEqual({
      dataDir: '/tmp/x',
      type: 'host-local',
      ranges: [[{ subnet: '10.244.7.0/24' }]],
      routes: [{ dst: '0.0.0.0/0', gw: '10.244.7.1' }, { dst: '10.244.0.0/16' }, { dst: '10.96.0.0/12' }],
    });
    expect(build({ ipam: { type: 'static' } })['ipam']).toMatchObject({ type: 'static' });
  });

  test('does not modify the parsed config', () => {
    const input = conf({ delegate: { hairpinMode: true }, ipam: { dataDir: '/x' } });
    buildDelegateConfig(input, ENV);
    expect(input.delegate).toEqual({ hairpinMode: true });
    expect(input.ipam).toEqual({ dataDir: '/x' });
  });
});

describe('assertDelegatable (config errors, code 7)', () => {
  const cases: Array<[object, string]> = [
    [{ delegate: { name: 'x' } }, '"delegate.name" must not be set'],
    [{ delegate: { ipam: {} } }, '"delegate.ipam" must not be set'],
    [{ delegate: { type: 5 } }, '"delegate.type" must be a string, got number 5'],
    [{ delegate: { type: null } }, '"delegate.type" must be a string, got null'],
    [{ delegate: { type: '../../bin/sh' } }, '"delegate.type" must be a plugin name'],
    [{ delegate: { type: '' } }, '"delegate.type" must be a plugin name'],
    [{ name: '' }, '"name" is required'],
    [{ ipam: { type: 3 } }, '"ipam.type" must be a plugin name'],
    [{ ipam: { routes: {} } }, '"ipam.routes" must be an array'],
    [{ ipam: { routes: [{ gw: '10.0.0.1' }] } }, '"ipam.routes" entry 0 must be an object with a string "dst"'],
  ];
  for (const [fields, message] of cases) {
    test(message, () => {
      const error = thrownCniError(() => assertDelegatable(conf(fields)));
      expect(error.code).toBe(7);
      expect(error.message).toContain(message);
      // The builder refuses the same configs.
      expect(thrownCniError(() => build(fields)).message).toBe(error.message);
    });
  }

  test('a missing name is refused too', () => {
    expect(thrownCniError(() => assertDelegatable(parseNetConf('{}'))).message).toContain('"name" is required');
  });
});

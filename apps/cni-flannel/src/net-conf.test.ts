import { describe, expect, test } from 'vitest';
import { DEFAULT_DATA_DIR, DEFAULT_SUBNET_FILE, parseNetConf, peekCniVersion } from './net-conf.js';
import { thrownCniError } from '../test/thrown-cni-error.js';

describe('parseNetConf', () => {
  test('applies the defaults', () => {
    expect(parseNetConf('{"name":"cbr0","type":"flannel"}')).toEqual({
      cniVersion: '0.1.0',
      cniVersionGiven: false,
      name: 'cbr0',
      subnetFile: DEFAULT_SUBNET_FILE,
      dataDir: DEFAULT_DATA_DIR,
      delegate: undefined,
      ipam: undefined,
      runtimeConfig: undefined,
      prevResult: undefined,
    });
    expect([DEFAULT_SUBNET_FILE, DEFAULT_DATA_DIR]).toEqual(['/run/flannel/subnet.env', '/var/lib/cni/flannel']);
  });

  test('reads every key', () => {
    const conf = parseNetConf(
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'n',
        type: 'flannel',
        subnetFile: '/s',
        dataDir: '/d',
        delegate: { type: 'ptp' },
        ipam: { dataDir: '/i' },
        runtimeConfig: { portMappings: [] },
        prevResult: { ips: [] },
      }),
    );
    expect(conf).toMatchObject({
      cniVersion: '1.0.0',
      cniVersionGiven: true,
      subnetFile: '/s',
      dataDir: '/d',
      delegate: { type: 'ptp' },
      ipam: { dataDir: '/i' },
      runtimeConfig: { portMappings: [] },
      prevResult: { ips: [] },
    });
  });

  test('null means absent, as in Go', () => {
    expect(parseNetConf('{"delegate":null,"subnetFile":null}')).toMatchObject({ delegate: undefined, subnetFile: DEFAULT_SUBNET_FILE });
  });

  test('text that is not a JSON object is a decode failure (code 6)', () => {
    for (const text of ['', '{', 'garbage', '[]', '"x"', 'null']) {
      expect(thrownCniError(() => parseNetConf(text)).code).toBe(6);
    }
  });

  test('fields of the wrong type are invalid config (code 7), naming the field', () => {
    const cases: Array<[string, string]> = [
      ['{"cniVersion":1}', '"cniVersion" must be a string, got number 1'],
      ['{"name":true}', '"name" must be a string'],
      ['{"subnetFile":5}', '"subnetFile" must be a string'],
      ['{"subnetFile":""}', '"subnetFile" must be a non-empty path'],
      ['{"dataDir":[]}', '"dataDir" must be a string, got an array'],
      ['{"delegate":"bridge"}', '"delegate" must be an object, got string "bridge"'],
      ['{"ipam":[]}', '"ipam" must be an object'],
      ['{"runtimeConfig":1}', '"runtimeConfig" must be an object'],
    ];
    for (const [text, message] of cases) {
      const error = thrownCniError(() => parseNetConf(text));
      expect(error.code).toBe(7);
      expect(error.message).toContain(message);
    }
  });
});

describe('peekCniVersion', () => {
  test('finds the version when it can, else undefined', () => {
    expect(peekCniVersion('{"cniVersion":"0.4.0","delegate":5}')).toBe('0.4.0');
    expect(peekCniVersion('{"cniVersion":4}')).toBeUndefined();
    expect(peekCniVersion('nope')).toBeUndefined();
  });
});

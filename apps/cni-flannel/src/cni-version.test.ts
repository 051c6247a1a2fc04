import { describe, expect, test } from 'vitest';
import { assertSupportedVersion, assertVersionAllowsCheck, compareVersions, versionInfo } from './cni-version.js';
import { thrownCniError } from '../test/thrown-cni-error.js';

describe('CNI versions', () => {
  test('VERSION reply', () => {
    expect(versionInfo()).toBe('{"cniVersion":"1.0.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0"]}');
  });

  test('an unsupported config version is code 1, naming it', () => {
    expect(() => assertSupportedVersion('0.3.1')).not.toThrow();
    const error = thrownCniError(() => assertSupportedVersion('1.1.0'));
    expect([error.code, error.message]).toEqual([1, 'incompatible CNI versions']);
    expect(error.details).toContain('config is "1.1.0"');
  });

  test('CHECK needs 0.4.0 or later', () => {
    expect(() => assertVersionAllowsCheck('0.4.0')).not.toThrow();
    expect(() => assertVersionAllowsCheck('1.0.0')).not.toThrow();
    for (const old of ['0.1.0', '0.3.1']) expect(() => assertVersionAllowsCheck(old)).toThrow('config version does not allow CHECK');
  });

  test('compareVersions is numeric per part', () => {
    expect(compareVersions('0.10.0', '0.4.0')).toBe(1);
    expect(compareVersions('0.3.1', '0.4.0')).toBe(-1);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { assertLabPrefix, hostIp, hostNsName, isLabNamespace, makeLabPrefix, switchNsName } from './names.js';

describe('lab names', () => {
  it('makes ft<base36 pid><3 chars> prefixes that pass validation', () => {
    const prefix = makeLabPrefix(4_194_304);
    expect(prefix).toMatch(/^ft2hwcg[a-z0-9]{3}$/);
    expect(() => assertLabPrefix(prefix)).not.toThrow();
    expect(hostNsName(prefix, 12).length).toBeLessThanOrEqual(15);
  });

  it('rejects prefixes that would make odd or long names', () => {
    for (const bad of ['', 'Ft1', 'ft-1', 'a'.repeat(13), 'ft 1']) {
      expect(() => assertLabPrefix(bad)).toThrow(/lab prefix .* must be 1-12 characters/);
    }
  });

  it('derives namespace names and addresses', () => {
    expect(switchNsName('ftabc')).toBe('ftabc-sw');
    expect(hostNsName('ftabc', 2)).toBe('ftabc-h2');
    expect(hostIp(1)).toBe('192.0.2.11');
    expect(isLabNamespace('ftabc', 'ftabc-h1')).toBe(true);
    expect(isLabNamespace('ftabc', 'ftabcd-h1')).toBe(false);
  });
});

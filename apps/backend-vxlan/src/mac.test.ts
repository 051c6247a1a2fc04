import { describe, expect, it } from 'vitest';
import { isUnicastMac, normaliseMac, randomLocalMac } from './mac.js';

describe('MAC helpers', () => {
  it('normalises to lower-case colon form and refuses anything else', () => {
    expect(normaliseMac('5A:1F:0C:2E:33:9B')).toBe('5a:1f:0c:2e:33:9b');
    for (const bad of ['5a-1f-0c-2e-33-9b', '5a:1f:0c:2e:33', '5a:1f:0c:2e:33:9b:00', 'zz:1f:0c:2e:33:9b', 42, undefined]) {
      expect(normaliseMac(bad)).toBeUndefined();
    }
  });

  it('tells unicast MACs from multicast and the all-zero default destination', () => {
    expect(isUnicastMac('0a:58:0a:f4:00:02')).toBe(true);
    expect(isUnicastMac('01:00:5e:00:00:01')).toBe(false);
    expect(isUnicastMac('ff:ff:ff:ff:ff:ff')).toBe(false);
    expect(isUnicastMac('00:00:00:00:00:00')).toBe(false);
  });

  it('makes random MACs unicast and locally administered, keeping the other bits', () => {
    expect(randomLocalMac(Uint8Array.from([0xff, 1, 2, 3, 4, 0xab]))).toBe('fe:01:02:03:04:ab');
    expect(randomLocalMac(Uint8Array.from([0x00, 0, 0, 0, 0, 0]))).toBe('02:00:00:00:00:00');
    expect(() => randomLocalMac(new Uint8Array(5))).toThrow(/6 random bytes, got 5/);
  });
});

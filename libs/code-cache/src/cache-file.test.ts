import { describe, expect, it } from 'vitest';
import { decodeCacheFile, encodeCacheFile as encodeParts } from './cache-file.js';

const encodeCacheFile = (data: Uint8Array) => Buffer.concat(encodeParts(data));

const DATA = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));

describe('code cache files', () => {
  it('give back the data they were made of', () => {
    expect(decodeCacheFile(encodeCacheFile(DATA))).toEqual(DATA);
  });

  it('are refused with any byte changed, cut short or grown', () => {
    const file = encodeCacheFile(DATA);
    for (const at of [0, 4, 8, 100, file.length - 1]) {
      const damaged = Buffer.from(file);
      damaged[at]! ^= 0x20;
      expect(decodeCacheFile(damaged), `byte ${at}`).toBeUndefined();
    }
    expect(decodeCacheFile(file.subarray(0, file.length - 1))).toBeUndefined();
    expect(decodeCacheFile(Buffer.concat([file, Buffer.from([0])]))).toBeUndefined();
  });

  it('are refused when they are V8 data without the header (a cache written by an older build)', () => {
    expect(decodeCacheFile(DATA)).toBeUndefined();
    expect(decodeCacheFile(Buffer.alloc(0))).toBeUndefined();
  });
});

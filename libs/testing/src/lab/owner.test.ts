import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isOwnerAlive } from './owner.js';

const ownStartTime = (): string => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

describe('isOwnerAlive', () => {
  it('accepts a live pid alone or with its start time', () => {
    expect(isOwnerAlive(`${process.pid}\n`)).toBe(true);
    expect(isOwnerAlive(`${process.pid} ${ownStartTime()}\n`)).toBe(true);
  });

  it('rejects a recycled pid, a pid that cannot exist, and garbage', () => {
    expect(isOwnerAlive(`${process.pid} 1`)).toBe(false);
    expect(isOwnerAlive('4194305')).toBe(false);
    expect(isOwnerAlive('')).toBe(false);
    expect(isOwnerAlive('abc')).toBe(false);
  });
});

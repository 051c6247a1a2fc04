import { describe, expect, test } from 'vitest';
import { inContext, isNetlinkError, withContext } from './errors.js';

function addonError(message: string, code: string, errno: number): Error {
  return Object.assign(new Error(message), { code, errno, syscall: 'netlink' });
}

describe('netlink errors', () => {
  test('isNetlinkError recognises the addon\'s errors, optionally by code', () => {
    const error = addonError('File exists', 'EEXIST', -17);
    expect(isNetlinkError(error)).toBe(true);
    expect(isNetlinkError(error, 'EEXIST')).toBe(true);
    expect(isNetlinkError(error, 'ESRCH')).toBe(false);
    expect(isNetlinkError(Object.assign(new Error('x'), { code: 'EEXIST', syscall: 'open' }))).toBe(false);
    expect(isNetlinkError('EEXIST')).toBe(false);
  });

  test('inContext prefixes what was being done and keeps code, errno and syscall', () => {
    const wrapped = inContext('adding route 10.244.3.0/24 via 192.0.2.12 dev eth0', addonError('File exists', 'EEXIST', -17));
    expect(wrapped).toBeInstanceOf(Error);
    expect(wrapped).toMatchObject({
      message: 'adding route 10.244.3.0/24 via 192.0.2.12 dev eth0: File exists',
      code: 'EEXIST',
      errno: -17,
      syscall: 'netlink',
    });
  });

  test('anything else passes through untouched', () => {
    const typeError = new TypeError('netlink: index must be a number');
    expect(inContext('adding route', typeError)).toBe(typeError);
  });

  test('withContext describes the operation only when it fails', () => {
    let described = 0;
    const what = (): string => {
      described++;
      return 'listing routes';
    };
    expect(withContext(what, () => 7)).toBe(7);
    expect(described).toBe(0);
    expect(() =>
      withContext(what, () => {
        throw addonError('Interrupted system call', 'EINTR', -4);
      }),
    ).toThrow(expect.objectContaining({ message: 'listing routes: Interrupted system call', code: 'EINTR' }));
    expect(described).toBe(1);
  });
});

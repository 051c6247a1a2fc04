import { describe, expect, it } from 'vitest';
import { errorText, isRetryable, RetryableError } from './retryable.js';

describe('isRetryable', () => {
  it('retries failures of the world: our marker, errno codes, and either wrapped as a cause', () => {
    expect(isRetryable(new RetryableError('etcd unreachable'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    const enotdir = Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    expect(isRetryable(new Error('writing subnet file /run/x: not a directory', { cause: enotdir }))).toBe(true);
  });

  it('does not retry bugs: TypeErrors, plain errors, non-errors, codes that are not errno', () => {
    expect(isRetryable(new TypeError("Cannot read properties of undefined (reading 'ip')"))).toBe(false);
    expect(isRetryable(new Error('invariant broken'))).toBe(false);
    expect(isRetryable('ECONNREFUSED')).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isRetryable(new TypeError('bad', { cause: new TypeError('worse') }))).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isRetryable(a)).toBe(false);
    expect(errorText(a)).toBe('a: b');
  });
});

describe('errorText', () => {
  it('says what failed and why, without repeating a cause the message already ends with', () => {
    const errno = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const wrapped = new Error('writing subnet file /run/x: EACCES: permission denied', { cause: errno });
    expect(errorText(wrapped)).toBe('writing subnet file /run/x: EACCES: permission denied');
    expect(errorText(new Error('etcd: listing leases', { cause: new Error('14 UNAVAILABLE') }))).toBe('etcd: listing leases: 14 UNAVAILABLE');
    expect(errorText('plain')).toBe('plain');
  });
});

import { describe, expect, it } from 'vitest';
import { checkActivatedFd, parseListenAddress } from './listen-address.js';

describe('--listen values', () => {
  it('reads TCP addresses with or without tcp://, an empty host meaning every address', () => {
    expect(parseListenAddress('0.0.0.0:8888')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 8888 });
    expect(parseListenAddress(':8080')).toEqual({ kind: 'tcp', host: '', port: 8080 });
    expect(parseListenAddress('tcp://10.0.0.1:1')).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 1 });
    expect(parseListenAddress('[::1]:80')).toEqual({ kind: 'tcp', host: '::1', port: 80 });
  });

  it('reads fd:// as fd 3 and fd://N as fd N', () => {
    expect(parseListenAddress('fd://')).toEqual({ kind: 'fd', fd: 3 });
    expect(parseListenAddress('fd://5')).toEqual({ kind: 'fd', fd: 5 });
  });

  it("refuses the rest with flannel's messages", () => {
    expect(() => parseListenAddress('unix:///run/x')).toThrow(/^bad listener scheme$/);
    expect(() => parseListenAddress('fd://three')).toThrow(/^fd index is not a number$/);
    expect(() => parseListenAddress('host')).toThrow('address host: missing port in address');
    expect(() => parseListenAddress('host:99999')).toThrow('address host:99999: invalid port "99999"');
  });

  it('accepts only the fds systemd passed to this very process', () => {
    const env = { LISTEN_PID: '42', LISTEN_FDS: '2' };
    expect(() => checkActivatedFd(3, env, 42)).not.toThrow();
    expect(() => checkActivatedFd(4, env, 42)).not.toThrow();
    expect(() => checkActivatedFd(5, env, 42)).toThrow(/^fd 5 is out of range \(5\)$/);
    expect(() => checkActivatedFd(3, env, 43)).toThrow(/^fd 3 is out of range \(3\)$/);
    expect(() => checkActivatedFd(1, env, 42)).toThrow(/^fd 1 is out of range \(5\)$/);
    expect(() => checkActivatedFd(3, {}, 42)).toThrow('fd 3 is out of range (3)');
  });
});

import { describe, expect, it } from 'vitest';
import { EtcdMembers, SilentMemberError } from './etcd-members.js';

/** A client standing for one connection to an endpoint: all EtcdMembers needs of it is close(). */
class Connection {
  closed = false;
  constructor(readonly endpoint: string) {}
  close(): void {
    this.closed = true;
  }
}

const FAULT = 'fault';
const setUp = (endpoints = ['a', 'b', 'c'], first = 0) => {
  const made: Connection[] = [];
  const members = new EtcdMembers(
    endpoints,
    (e) => {
      const c = new Connection(e);
      made.push(c);
      return c;
    },
    (err) => err.message === FAULT,
    first,
  );
  return { members, made };
};

describe('EtcdMembers', () => {
  it('sends calls to one member and stays there through errors that are not its fault', async () => {
    const { members } = setUp(['a', 'b', 'c'], 1);
    expect(await members.call(async (c) => c.endpoint)).toBe('b');
    await expect(members.call(() => Promise.reject(new Error('key not found')))).rejects.toThrow('etcd b: key not found');
    expect(members.now.endpoint).toBe('b');
  });

  it('moves to the next member on its fault, names both, and closes the one it left', async () => {
    const { members, made } = setUp();
    const left = members.now.client;
    const err = await members.call(() => Promise.reject(new Error(FAULT))).catch((e: Error) => e);
    expect(err.message).toBe('etcd a: fault; using b from now on');
    expect((err.cause as Error).message).toBe(FAULT);
    expect(members.now.endpoint).toBe('b');
    expect(left.closed).toBe(true);
    expect(made.filter((c) => !c.closed).map((c) => c.endpoint).sort()).toEqual(['a', 'b', 'c']);
  });

  it('blames a silent member whatever the fault predicate says, and wraps around the list', async () => {
    const { members } = setUp(['a', 'b'], 1);
    await members.call(() => Promise.reject(new SilentMemberError('no answer'))).catch(() => undefined);
    expect(members.now.endpoint).toBe('a');
  });

  it('tells what runs on a member when it is left, once, and only then', () => {
    const { members } = setUp();
    const a = members.now;
    const told: string[] = [];
    members.onLeft(a, (err) => told.push(err.message));
    const stop = members.onLeft(a, () => told.push('unsubscribed listener'));
    stop();
    members.failed(a, new Error('key not found'));
    expect(told).toEqual([]);
    members.failed(a, new Error(FAULT));
    expect(told).toEqual(['etcd a: fault; using b from now on']);
  });

  it('counts the late failures of calls still running on a member it left only once', () => {
    const { members } = setUp();
    const a = members.now;
    members.failed(a, new Error(FAULT));
    const late = members.failed(a, new Error(FAULT));
    expect(late.message).toBe('etcd a: fault');
    expect(members.now.endpoint).toBe('b');
  });

  it('with one endpoint: a fault gives it a fresh client and stays', () => {
    const { members, made } = setUp(['only']);
    const before = members.now;
    expect(members.failed(before, new Error(FAULT)).message).toBe('etcd only: fault');
    expect(members.now.endpoint).toBe('only');
    expect(members.now).not.toBe(before);
    expect(made.map((c) => c.closed)).toEqual([true, false]);
  });

  it('closes every client it holds', () => {
    const { members, made } = setUp();
    members.close();
    expect(made.every((c) => c.closed)).toBe(true);
  });
});

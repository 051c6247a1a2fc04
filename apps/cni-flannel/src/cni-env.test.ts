import { describe, expect, test } from 'vitest';
import { readCniCommand, readCniRequestEnv } from './cni-env.js';
import { MAX_CONTAINER_ID_LENGTH } from './state-store.js';
import { thrownCniError as cniError } from '../test/thrown-cni-error.js';

const FULL = { CNI_CONTAINERID: 'abc123', CNI_NETNS: '/var/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin::/usr/lib/cni' };

describe('readCniCommand', () => {
  test('accepts the four commands', () => {
    for (const command of ['ADD', 'DEL', 'CHECK', 'VERSION']) expect(readCniCommand({ CNI_COMMAND: command })).toBe(command);
  });

  test('a missing or unknown command is an invalid environment (code 4)', () => {
    expect(cniError(() => readCniCommand({})).code).toBe(4);
    const unknown = cniError(() => readCniCommand({ CNI_COMMAND: 'toString' }));
    expect([unknown.code, unknown.message]).toEqual([4, 'unknown CNI_COMMAND: "toString"']);
    const long = cniError(() => readCniCommand({ CNI_COMMAND: 'A'.repeat(100_000) }));
    expect(long.message).toBe(`unknown CNI_COMMAND: "${'A'.repeat(64)}…" (100000 chars)`);
  });
});

describe('readCniRequestEnv', () => {
  test('reads the variables and splits CNI_PATH, dropping empty entries', () => {
    expect(readCniRequestEnv('ADD', FULL)).toEqual({
      command: 'ADD',
      containerId: 'abc123',
      netns: '/var/run/netns/x',
      ifname: 'eth0',
      path: ['/opt/cni/bin', '/usr/lib/cni'],
    });
  });

  test('names every missing variable', () => {
    const error = cniError(() => readCniRequestEnv('ADD', { CNI_CONTAINERID: 'a', CNI_NETNS: '' }));
    expect([error.code, error.message]).toEqual([4, 'required env variables missing: CNI_NETNS, CNI_IFNAME, CNI_PATH']);
  });

  test('DEL does not need CNI_NETNS; CHECK does', () => {
    const { CNI_NETNS: _netns, ...withoutNetns } = FULL;
    expect(readCniRequestEnv('DEL', withoutNetns).netns).toBeUndefined();
    expect(cniError(() => readCniRequestEnv('CHECK', withoutNetns)).message).toContain('CNI_NETNS');
  });

  test('refuses container ids that could be paths', () => {
    for (const id of ['../etc', 'a/b', '.hidden', '-x', 'a b']) {
      const error = cniError(() => readCniRequestEnv('DEL', { ...FULL, CNI_CONTAINERID: id }));
      expect(error.code).toBe(4);
      expect(error.message).toContain(JSON.stringify(id));
    }
    expect(readCniRequestEnv('DEL', { ...FULL, CNI_CONTAINERID: 'A1_b.c-d' }).containerId).toBe('A1_b.c-d');
  });

  test('quotes a malformed container id cut short', () => {
    const error = cniError(() => readCniRequestEnv('ADD', { ...FULL, CNI_CONTAINERID: `${'a'.repeat(100)} b` }));
    expect([error.code, error.message]).toEqual([4, `invalid characters in CNI_CONTAINERID "${'a'.repeat(64)}…" (102 chars)`]);
  });

  test('refuses a container id longer than its state file name allows (242 characters), for every command', () => {
    expect(MAX_CONTAINER_ID_LENGTH).toBe(242);
    expect(readCniRequestEnv('ADD', { ...FULL, CNI_CONTAINERID: 'a'.repeat(242) }).containerId).toHaveLength(242);
    for (const command of ['ADD', 'DEL', 'CHECK'] as const) {
      const error = cniError(() => readCniRequestEnv(command, { ...FULL, CNI_CONTAINERID: 'b'.repeat(243) }));
      expect(error.code).toBe(4);
      expect(error.message).toBe(`CNI_CONTAINERID "${'b'.repeat(64)}…" (243 chars) is too long (at most 242 characters)`);
      expect(error.details).toContain('255 bytes');
    }
  });

  test('refuses invalid interface names', () => {
    expect(cniError(() => readCniRequestEnv('ADD', { ...FULL, CNI_IFNAME: 'i'.repeat(100_000) })).message).toBe(
      `invalid CNI_IFNAME "${'i'.repeat(64)}…" (100000 chars): longer than 15 characters`,
    );
    for (const name of ['a'.repeat(16), '.', '..', 'a/b', 'a:b', 'a b']) {
      expect(cniError(() => readCniRequestEnv('ADD', { ...FULL, CNI_IFNAME: name })).message).toContain('invalid CNI_IFNAME');
    }
    expect(readCniRequestEnv('ADD', { ...FULL, CNI_IFNAME: 'a'.repeat(15) }).ifname).toBe('a'.repeat(15));
  });
});

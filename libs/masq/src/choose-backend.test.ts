import { describe, expect, it } from 'vitest';
import { chooseIptablesVariant, resolveMasqBackend } from './choose-backend.js';
import type { CommandRunner } from './command-runner.js';
import { iptablesDriver } from './iptables-driver.js';

/** A host whose commands print fixed output (stdout per command line). */
function host(outputs: Record<string, string>): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = async (file, args) => {
    const line = [file, ...args].join(' ');
    calls.push(line);
    const stdout = outputs[line];
    return stdout === undefined ? { stdout: '', stderr: `${file}: not found`, exitCode: 127 } : { stdout, stderr: '', exitCode: 0 };
  };
  return { run, calls };
}

const rules = (n: number): string => ['*filter', ':INPUT ACCEPT [0:0]', ...Array.from({ length: n }, (_, i) => `-A INPUT -s 198.51.100.${i} -j ACCEPT`), 'COMMIT'].join('\n');

describe('chooseIptablesVariant', () => {
  it('picks legacy only when legacy shows more rules', async () => {
    expect(await chooseIptablesVariant(host({ 'iptables-legacy-save': rules(3), 'iptables-nft-save': rules(2) }).run)).toBe('legacy');
    expect(await chooseIptablesVariant(host({ 'iptables-legacy-save': rules(2), 'iptables-nft-save': rules(2) }).run)).toBe('nft');
    expect(await chooseIptablesVariant(host({ 'iptables-legacy-save': rules(0), 'iptables-nft-save': rules(1) }).run)).toBe('nft');
  });

  it('counts a variant that cannot run as empty', async () => {
    expect(await chooseIptablesVariant(host({ 'iptables-legacy-save': rules(1) }).run)).toBe('legacy');
    expect(await chooseIptablesVariant(host({}).run)).toBe('nft');
  });
});

describe('resolveMasqBackend', () => {
  it('asks the host only for auto and iptables', async () => {
    const fake = host({ 'iptables-legacy-save': rules(1), 'iptables-nft-save': rules(0) });
    expect(await resolveMasqBackend('nftables', fake.run)).toBe('nftables');
    expect(await resolveMasqBackend('iptables-nft', fake.run)).toBe('iptables-nft');
    expect(fake.calls).toEqual([]);
    expect(await resolveMasqBackend('auto', fake.run)).toBe('iptables-legacy');
    expect(await resolveMasqBackend('iptables', fake.run)).toBe('iptables-legacy');
  });
});

describe('iptables --random-fully support', () => {
  it('follows the iptables version (1.6.2 and later)', async () => {
    const supports = (version: string) => iptablesDriver('nft', host({ 'iptables-nft --version': version }).run).supportsRandomFully();
    expect(await supports('iptables v1.8.9 (nf_tables)\n')).toBe(true);
    expect(await supports('iptables v1.6.2\n')).toBe(true);
    expect(await supports('iptables v1.6.1\n')).toBe(false);
    await expect(supports('something else')).rejects.toThrow('iptables-nft --version printed no version: something else');
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VtepMacFile } from './vtep-mac-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vtep-mac-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('VtepMacFile', () => {
  it('creates a random locally administered MAC once and returns it afterwards', () => {
    const state = path.join(dir, 'state');
    const file = new VtepMacFile(state, 7);
    expect(file.path).toBe(path.join(state, 'vtep-mac.7'));
    expect(file.read()).toBeUndefined();
    const mac = file.readOrCreate();
    expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(Number.parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02);
    expect(readFileSync(file.path, 'utf8')).toBe(`${mac}\n`);
    expect(new VtepMacFile(state, 7).readOrCreate()).toBe(mac);
    expect(new VtepMacFile(state, 8).readOrCreate()).not.toBe(mac);
  });

  it('overwrites with a given MAC, leaving no temp file behind', () => {
    const file = new VtepMacFile(dir, 1);
    file.readOrCreate();
    file.write('0a:58:0a:f4:00:02');
    expect(file.read()).toBe('0a:58:0a:f4:00:02');
    expect(readdirSync(dir)).toEqual(['vtep-mac.1']);
  });

  it('refuses a corrupt file, naming it, but lets a device MAC replace it', () => {
    const file = new VtepMacFile(dir, 1);
    writeFileSync(file.path, 'not a mac\n');
    expect(() => file.read()).toThrow(`${file.path} holds "not a mac", not a unicast MAC address; delete it to get a new one`);
    writeFileSync(file.path, '01:00:5e:00:00:01\n');
    expect(() => file.readOrCreate()).toThrow(/not a unicast MAC/);
    file.write('0a:58:0a:f4:00:03');
    expect(file.read()).toBe('0a:58:0a:f4:00:03');
  });
});

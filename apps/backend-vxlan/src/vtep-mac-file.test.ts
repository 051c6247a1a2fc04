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
  it('creates a random locally administered MAC once and returns it afterwards', async () => {
    const state = path.join(dir, 'state');
    const file = new VtepMacFile(state, 7);
    expect(file.path).toBe(path.join(state, 'vtep-mac.7'));
    expect(await file.read()).toBeUndefined();
    const mac = await file.readOrCreate();
    expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(Number.parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02);
    expect(readFileSync(file.path, 'utf8')).toBe(`${mac}\n`);
    expect(await new VtepMacFile(state, 7).readOrCreate()).toBe(mac);
    expect(await new VtepMacFile(state, 8).readOrCreate()).not.toBe(mac);
  });

  it('overwrites with a given MAC, leaving no temp file behind', async () => {
    const file = new VtepMacFile(dir, 1);
    await file.readOrCreate();
    await file.write('0a:58:0a:f4:00:02');
    expect(await file.read()).toBe('0a:58:0a:f4:00:02');
    expect(readdirSync(dir)).toEqual(['vtep-mac.1']);
  });

  it('refuses a corrupt file, naming it, but lets a device MAC replace it', async () => {
    const file = new VtepMacFile(dir, 1);
    writeFileSync(file.path, 'not a mac\n');
    await expect(file.read()).rejects.toThrow(`${file.path} holds "not a mac", not a unicast MAC address; delete it to get a new one`);
    writeFileSync(file.path, '01:00:5e:00:00:01\n');
    await expect(file.readOrCreate()).rejects.toThrow(/not a unicast MAC/);
    await file.write('0a:58:0a:f4:00:03');
    expect(await file.read()).toBe('0a:58:0a:f4:00:03');
  });
});

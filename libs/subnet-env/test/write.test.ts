import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseIP4Net } from '@flannel-ts/ip';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { formatSubnetEnv, readSubnetEnv, writeSubnetEnv, type SubnetEnvValues } from '../src/index.js';

const golden = readFileSync(new URL('../test-fixtures/subnet.env.golden', import.meta.url), 'utf8');

const valuesA: SubnetEnvValues = {
  network: parseIP4Net('10.1.0.0/16'),
  subnet: parseIP4Net('10.1.15.0/24'),
  mtu: 1450,
  ipMasq: false,
};
const valuesB: SubnetEnvValues = {
  network: parseIP4Net('172.16.0.0/12'),
  subnet: parseIP4Net('172.31.255.128/25'),
  mtu: 8951,
  ipMasq: true,
};

// Polls the file as fast as it can until the stop file appears, then prints how often it saw each content.
const pollingReader = `
const fs = require('node:fs');
const [file, stop] = process.argv.slice(1);
const seen = {};
console.log('ready');
while (!fs.existsSync(stop)) {
  let content;
  try { content = fs.readFileSync(file, 'utf8'); } catch (error) { content = 'error: ' + error.code; }
  seen[content] = (seen[content] ?? 0) + 1;
}
console.log(JSON.stringify(seen));
`;

describe('writeSubnetEnv', () => {
  let savedUmask: number;
  let dir: string;

  beforeAll(() => {
    savedUmask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(savedUmask);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'subnet-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the golden bytes, creating missing directories 0755 and the file 0644', async () => {
    const path = join(dir, 'run', 'flannel', 'subnet.env');
    await writeSubnetEnv(path, valuesA);
    expect(readFileSync(path, 'utf8')).toBe(golden);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'run', 'flannel')).mode & 0o777).toBe(0o755);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(dir, 'run', 'flannel'))).toEqual(['subnet.env']);
  });

  test('replaces an existing file and reads back', async () => {
    const path = join(dir, 'subnet.env');
    writeFileSync(path, 'OLD=1\n'.repeat(100));
    await writeSubnetEnv(path, valuesB);
    expect(readFileSync(path, 'utf8')).toBe(formatSubnetEnv(valuesB));
    expect(await readSubnetEnv(path)).toEqual({
      FLANNEL_NETWORK: '172.16.0.0/12',
      FLANNEL_SUBNET: '172.31.255.129/25',
      FLANNEL_MTU: '8951',
      FLANNEL_IPMASQ: 'true',
    });
    expect(readdirSync(dir)).toEqual(['subnet.env']);
  });

  test('names the path when the directory cannot be created (parent is a file)', async () => {
    writeFileSync(join(dir, 'run'), 'a file, not a directory');
    const path = join(dir, 'run', 'flannel', 'subnet.env');
    await expect(writeSubnetEnv(path, valuesA)).rejects.toThrow(`writing subnet file ${path}: ENOTDIR`);
  });

  test('removes the temp file and keeps the old state when the final rename fails', async () => {
    const path = join(dir, 'subnet.env');
    mkdirSync(join(path, 'occupied'), { recursive: true }); // a non-empty directory where the file should go
    await expect(writeSubnetEnv(path, valuesA)).rejects.toThrow(`writing subnet file ${path}`);
    expect(readdirSync(dir)).toEqual(['subnet.env']);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  test('a reader polling during many rewrites only ever sees a complete file', async () => {
    const path = join(dir, 'subnet.env');
    const stop = join(dir, 'stop');
    const contents = [formatSubnetEnv(valuesA), formatSubnetEnv(valuesB)];
    await writeSubnetEnv(path, valuesA);

    const reader = spawn(process.execPath, ['-e', pollingReader, path, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: reader.stdout })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready');
    for (let i = 0; i < 400; i++) await writeSubnetEnv(path, i % 2 === 0 ? valuesB : valuesA);
    writeFileSync(stop, '');
    const seen = JSON.parse((await lines.next()).value as string) as Record<string, number>;
    await once(reader, 'exit');

    expect(Object.keys(seen).sort()).toEqual([...contents].sort());
  });
});

describe('readSubnetEnv', () => {
  test('is undefined when the file does not exist', async () => {
    expect(await readSubnetEnv(join(tmpdir(), `no-such-dir-${process.pid}`, 'subnet.env'))).toBeUndefined();
  });

  test('names the path on other errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subnet-env-'));
    try {
      await expect(readSubnetEnv(dir)).rejects.toThrow(`reading subnet file ${dir}: EISDIR`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

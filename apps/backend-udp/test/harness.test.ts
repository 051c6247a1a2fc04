import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '@flannel-ts/testing';

const harnessDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../native/harness');
let tmp: TempDir;
let binary: string;

beforeAll(async () => {
  tmp = await tempDir('udp-harness');
  binary = path.join(tmp.path, 'loop-harness');
  execFileSync('make', ['-s', '-C', harnessDir, `OUT=${binary}`]);
});
afterAll(async () => {
  await tmp?.remove();
});

describe('the packet loop, without the kernel (native/harness)', () => {
  it('cuts super-packets into valid segments and merges them back byte for byte; drops and answers what it must', () => {
    // Every checksum version (scalar, SSE2, AVX2) against a plain reference on random bytes of all
    // lengths 0..2000 at alignments 0..7. Super-packets of 1 byte to 64 KiB, MSS 1420/999/536, PSH/FIN/CWR; checksums checked against a
    // plain reference; 20,000 random datagrams; see loop-harness.cc Check().
    const run = spawnSync(binary, ['check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('ok');
    expect(run.status).toBe(0);
  });
});

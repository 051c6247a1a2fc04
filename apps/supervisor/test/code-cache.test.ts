// flanneld runs its bundle from a V8 code cache: the build's, then the one its first run saves.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CONFIG_KEY, FLANNELD, startFlanneld, tempDir, waitFor, type Daemon } from '@flannel-ts/testing';
import { startDaemonLab, type DaemonLab } from './daemon-lab.js';

const FIXTURE = fileURLToPath(new URL('../../../libs/code-cache/src/code-cache.fixture.ts', import.meta.url));
const CONFIG = JSON.stringify({ Network: '10.244.0.0/16', Backend: { Type: 'host-gw' } });

/** The bundle flanneld's binary runs: the one wrapped CommonJS file beside it. */
function mainFile(): string {
  const dir = path.dirname(FLANNELD);
  const mains = readdirSync(dir).filter((f) => /^flanneld-[0-9A-F]{12}\.cjs$/.test(f));
  expect(mains).toHaveLength(1);
  return path.join(dir, mains[0]!);
}

describe('the flanneld bundle', () => {
  it('compiles from the code cache the build made, under flanneld’s own node flags', () => {
    assertBuilt();
    const shebang = readFileSync(FLANNELD, 'utf8').split('\n', 1)[0]!;
    const flags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
    expect(flags).toContain('--lite-mode');
    const compile = (nodeFlags: readonly string[]) =>
      JSON.parse(execFileSync(process.execPath, [...nodeFlags, '--import', 'tsx', FIXTURE, 'compile', mainFile()], { encoding: 'utf8' })) as unknown;
    expect(compile(flags)).toEqual({ cache: 'used' });
    // Under other flags V8 refuses the cache (the code then compiles from source).
    expect(compile([])).toEqual({ cache: 'rejected' });
  });
});

describe('the flanneld binary', () => {
  it('says in one line that it cannot load its code when the bundle beside it is missing', async () => {
    assertBuilt();
    const tmp = await tempDir('flanneld-entry');
    try {
      const lone = path.join(tmp.path, 'flanneld');
      copyFileSync(FLANNELD, lone);
      const run = spawnSync(process.execPath, [lone, '--version'], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`flanneld: cannot load its code: ENOENT: no such file or directory, open '${path.join(tmp.path, path.basename(mainFile()))}'\n`);
    } finally {
      await tmp.remove();
    }
  });
});

describe('the code cache a run saves in the state directory', () => {
  let dl: DaemonLab;
  beforeAll(async () => {
    assertBuilt();
    dl = await startDaemonLab('code-cache-test');
  });
  afterAll(async () => {
    await dl?.destroy();
  });

  const compiledFrom = (d: Daemon, from: number) =>
    d.messages().slice(from).flatMap((m) => /^Code compiled (.*)$/.exec(m)?.[1] ?? []);
  const savedTo = (d: Daemon, from: number) =>
    d.messages().slice(from).flatMap((m) => /^Saved the code cache \(\d+ KiB\) to (\S+) in \d+ ms$/.exec(m)?.[1] ?? []);

  it('is saved by the first run and compiled from by the next; a damaged one is replaced', async () => {
    const dir = await dl.fresh();
    await dl.etcd.etcdctl(['put', CONFIG_KEY, CONFIG]);
    const build = `${mainFile()}.v8cache`;
    const d = await startFlanneld(dl.lab, dl.lab.hosts[0]!, dir, { args: ['-v=1'] });
    const [saved] = await waitFor(() => savedTo(d, 0).length > 0 && savedTo(d, 0), { what: 'the first run to save its code cache' });
    expect(compiledFrom(d, 0)).toEqual([`from the code cache ${build}`]);
    expect(path.dirname(saved!)).toBe(path.join(dir, 'state', 'code-cache'));
    expect((await d.proc.stop()).code).toBe(0);

    let from = d.messages().length;
    d.restart();
    await waitFor(() => d.messages().slice(from).includes('Watching for new subnet leases'), { what: 'the second run to join' });
    expect(compiledFrom(d, from)).toEqual([`from the code cache ${saved}`]);
    expect((await d.proc.stop()).code).toBe(0);
    expect(savedTo(d, from)).toEqual([]);

    // A cache damaged on disk is never compiled from: the build's is, and a good one saved again.
    const damaged = readFileSync(saved!);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x55;
    writeFileSync(saved!, damaged);
    from = d.messages().length;
    d.restart();
    await waitFor(() => savedTo(d, from).length > 0, { what: 'the run after the damage to save a cache again' });
    expect(compiledFrom(d, from)).toEqual([`from the code cache ${build}`]);
    expect(savedTo(d, from)).toEqual([saved]);
    expect((await d.proc.stop()).code).toBe(0);
    expect(readFileSync(saved!).equals(damaged)).toBe(false);
  });
});

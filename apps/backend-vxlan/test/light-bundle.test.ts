import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/backend-vxlan/flannel-backend-vxlan');

// Runs the bundle as the first-boot launcher does (require) and prints, at exit, the built-in
// modules the process loaded.
const RUN_AND_LIST_MODULES = `
process.on('exit', () => require('node:fs').writeSync(3, JSON.stringify(process.moduleLoadList)));
process.argv = [process.argv[0], ${JSON.stringify(BINARY)}, '--help'];
require(${JSON.stringify(BINARY)});
`;

/** The one run both tests read: its output, and the built-in modules it loaded. */
let listed: { run: SpawnSyncReturns<string>; modules: string[] } | undefined;
function listModules() {
  if (!listed) {
    const run = spawnSync(process.execPath, ['-e', RUN_AND_LIST_MODULES], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    expect(run.status, run.stderr).toBe(0);
    listed = { run, modules: JSON.parse(run.output[3]!) as string[] };
  }
  return listed;
}

describe('the vxlan backend bundle', () => {
  it('loads no crypto or TLS module (node:crypto alone adds 0.7 MiB of RSS to the backend)', () => {
    const { run, modules } = listModules();
    expect(run.stdout).toMatch(/^Usage: flannel-backend-vxlan/);
    expect(modules).toContain('NativeModule fs');
    expect(modules.filter((name) => /crypto|tls/.test(name))).toEqual([]);
  });

  it('loads neither pino’s transport support (worker_threads) nor assert, nor readline outside standalone -stdin', () => {
    const { modules } = listModules();
    expect(modules).toContain('NativeModule net');
    expect(modules.filter((name) => /^NativeModule (worker_threads|assert|readline|readline\/promises)$/.test(name))).toEqual([]);
  });
});

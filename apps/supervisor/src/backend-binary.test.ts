import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backendCandidates, findBackendBinary } from './backend-binary.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function executable(file: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
}

describe('finding a backend binary', () => {
  it('searches FLANNELD_BACKEND_DIR, beside the invoked path, beside the real path, the dist layout, then PATH', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bin-'));
    const real = path.join(dir, 'dist/apps/supervisor/flanneld');
    executable(real);
    mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
    const link = path.join(dir, 'node_modules/.bin/flanneld');
    symlinkSync(real, link);
    const list = backendCandidates('flannel-backend-hostgw', { invokedAs: link, env: { FLANNELD_BACKEND_DIR: '/opt/b', PATH: '/usr/bin:/bin' } });
    expect(list).toEqual([
      '/opt/b/flannel-backend-hostgw',
      path.join(dir, 'node_modules/.bin/flannel-backend-hostgw'),
      path.join(dir, 'dist/apps/supervisor/flannel-backend-hostgw'),
      path.join(dir, 'dist/apps/backend-hostgw/flannel-backend-hostgw'),
      '/usr/bin/flannel-backend-hostgw',
      '/bin/flannel-backend-hostgw',
    ]);
  });

  it('picks the first executable one, and names every path when none exists', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bin-'));
    const real = path.join(dir, 'dist/apps/supervisor/flanneld');
    executable(real);
    executable(path.join(dir, 'dist/apps/backend-udp/flannel-backend-udp'));
    expect(findBackendBinary('udp', { invokedAs: real, env: { PATH: '' } })).toBe(path.join(dir, 'dist/apps/backend-udp/flannel-backend-udp'));
    expect(() => findBackendBinary('vxlan', { invokedAs: real, env: { PATH: '/nonexistent' } })).toThrow(
      `backend vxlan: flannel-backend-vxlan not found; searched ${path.join(dir, 'dist/apps/supervisor/flannel-backend-vxlan')}, ${path.join(dir, 'dist/apps/backend-vxlan/flannel-backend-vxlan')}, /nonexistent/flannel-backend-vxlan`,
    );
  });
});

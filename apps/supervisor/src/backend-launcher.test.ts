import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCommonJs, nodeFlagsOf } from './backend-launcher.js';

const dir = mkdtempSync(path.join(tmpdir(), 'launcher-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('nodeFlagsOf', () => {
  it('reads the node flags of a bundle or bin script', () => {
    expect(nodeFlagsOf(script('env', '#!/usr/bin/env -S node --lite-mode --no-expose-wasm --max-semi-space-size=1\nimport x;\n'))).toEqual([
      '--lite-mode',
      '--no-expose-wasm',
      '--max-semi-space-size=1',
    ]);
    expect(nodeFlagsOf(script('path', '#! /usr/local/bin/node --max-semi-space-size=1\n'))).toEqual(['--max-semi-space-size=1']);
    expect(nodeFlagsOf(script('plain', '#!/usr/bin/env node\n'))).toEqual([]);
  });

  it('knows none for a file that is not a node script, or no file', () => {
    expect(nodeFlagsOf(script('sh', '#!/bin/sh\nexec node x\n'))).toBeUndefined();
    expect(nodeFlagsOf(script('none', 'console.log(1)\n'))).toBeUndefined();
    expect(nodeFlagsOf(path.join(dir, 'missing'))).toBeUndefined();
  });
});

describe('isCommonJs', () => {
  const layout = (name: string, packageJson: string | undefined) => {
    const app = path.join(dir, name, 'app');
    mkdirSync(app, { recursive: true });
    if (packageJson !== undefined) writeFileSync(path.join(dir, name, 'package.json'), packageJson);
    return script(path.join(name, 'app', 'bin'), '#!/usr/bin/env node\n');
  };

  it('follows the nearest package.json, as Node does, through symlinks', () => {
    expect(isCommonJs(layout('cjs', '{ "type": "commonjs" }'))).toBe(true);
    expect(isCommonJs(layout('esm', '{ "type": "module" }'))).toBe(false);
    const link = path.join(dir, 'esm', 'link-to-cjs');
    symlinkSync(path.join(dir, 'cjs', 'app', 'bin'), link);
    expect(isCommonJs(link)).toBe(true);
  });

  it('leaves a file without a type, with a broken package.json or without a file to import()', () => {
    expect(isCommonJs(layout('untyped', '{ "name": "x" }'))).toBe(false);
    expect(isCommonJs(layout('broken', '{ "type": '))).toBe(false);
    expect(isCommonJs(path.join(dir, 'missing'))).toBe(false);
  });
});

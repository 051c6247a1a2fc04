import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFlagsOf } from './backend-launcher.js';

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

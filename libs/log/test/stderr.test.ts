import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = resolve(repoRoot, 'libs/log/test/fixtures/log-and-exit.ts');

describe('the default stderr destination', () => {
  // With pino's asynchronous destination the SIGKILL case loses the lines (checked), so this guards `sync: true`.
  test.each([
    ['exit', 0, null],
    ['kill', null, 'SIGKILL'],
  ])('every line is out before an immediate %s', (ending, status, signal) => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, '500', ending], { cwd: repoRoot, encoding: 'utf8' });
    expect([child.status, child.signal]).toEqual([status, signal]);
    expect(child.stdout).toBe('');
    const records = child.stderr.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(500);
    expect(records.at(-1)).toMatchObject({ name: 'fixture', component: 'main', msg: 'line', i: 500, password: '[Redacted]' });
  });

  test('is readable text when stderr is a terminal', () => {
    // script(1) runs the command on a pseudo-terminal and copies what it prints to our stdout.
    const command = `${process.execPath} --import tsx ${fixture} 1 exit`;
    const child = spawnSync('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  \[main\] line i=1 password=\[Redacted\]\r?\n$/);
  });
});

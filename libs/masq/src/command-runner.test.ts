import { describe, expect, it } from 'vitest';
import { commandFailure, runOrThrow, type CommandRunner } from './command-runner.js';

describe('commandFailure', () => {
  it('folds nft multi-line errors into one line without the caret markers', () => {
    const stderr = `/dev/stdin:2:25-35: Error: Could not process rule: No such file or directory
delete chain ip flannel postrouting
                        ^^^^^^^^^^^
`;
    expect(commandFailure('nft', ['-f', '-'], { stdout: '', stderr, exitCode: 1 })).toBe(
      'nft -f - failed (exit 1): /dev/stdin:2:25-35: Error: Could not process rule: No such file or directory | delete chain ip flannel postrouting',
    );
  });

  it("drops iptables' warnings about the other variant's tables", () => {
    const stderr = '# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\niptables-nft-restore: line 3 failed\n';
    expect(commandFailure('iptables-nft-restore', ['--noflush'], { stdout: '', stderr, exitCode: 1 })).toBe(
      'iptables-nft-restore --noflush failed (exit 1): iptables-nft-restore: line 3 failed',
    );
  });

  it('quotes the batch line iptables-restore names', () => {
    const input = '*nat\n-F FLANNEL-POSTRTG\n-X FLANNEL-POSTRTG\nCOMMIT\n';
    const result = { stdout: '', stderr: 'iptables-restore: line 3 failed\n', exitCode: 1 };
    expect(commandFailure('iptables-legacy-restore', ['--noflush'], result, input)).toBe(
      'iptables-legacy-restore --noflush failed (exit 1): iptables-restore: line 3 failed (line 3: -X FLANNEL-POSTRTG)',
    );
  });

  it('says when a command did not finish', () => {
    expect(commandFailure('nft', ['list', 'ruleset'], { stdout: '', stderr: 'spawn nft ENOENT', exitCode: null })).toBe(
      'nft list ruleset failed (did not finish): spawn nft ENOENT',
    );
  });
});

describe('runOrThrow', () => {
  it('returns stdout of a command that succeeded', async () => {
    const run: CommandRunner = async (_file, _args, input) => ({ stdout: `got ${input}`, stderr: '', exitCode: 0 });
    expect(await runOrThrow(run, 'nft', ['-f', '-'], 'x')).toBe('got x');
  });
});

import { describe, expect, test } from 'vitest';
import { parseMkDockerOptsArgs, type MkDockerOptsOptions } from './options.js';

const DEFAULTS: MkDockerOptsOptions = {
  flannelEnv: '/run/flannel/subnet.env',
  dockerEnv: '/run/docker_opts.env',
  individual: true,
  combined: true,
  combinedKey: 'DOCKER_OPTS',
  ipMasq: true,
};
const run = (...argv: string[]) => {
  const parsed = parseMkDockerOptsArgs(argv);
  if (parsed.kind !== 'run') throw new Error(`expected options, got usage: ${parsed.problem}`);
  return parsed.options;
};

describe('parseMkDockerOptsArgs', () => {
  test('defaults: both forms, DOCKER_OPTS, the standard paths, --ip-masq included', () => {
    expect(run()).toEqual(DEFAULTS);
  });

  test('-i or -c alone writes only that form; both given, both', () => {
    expect(run('-i')).toMatchObject({ individual: true, combined: false });
    expect(run('-c')).toMatchObject({ individual: false, combined: true });
    expect(run('-i', '-c')).toMatchObject({ individual: true, combined: true });
  });

  test('values separate or attached, flags grouped, -- ends the options', () => {
    expect(run('-f', '/a', '-d/b', '-k', 'KEY', '-m')).toEqual({
      ...DEFAULTS,
      flannelEnv: '/a',
      dockerEnv: '/b',
      combinedKey: 'KEY',
      ipMasq: false,
    });
    expect(run('-icmf/x')).toEqual({ ...DEFAULTS, flannelEnv: '/x', ipMasq: false });
    expect(run('-c', '--')).toMatchObject({ combined: true, individual: false });
  });

  test('-h and -? ask for the usage', () => {
    expect(parseMkDockerOptsArgs(['-h'])).toEqual({ kind: 'usage' });
    expect(parseMkDockerOptsArgs(['-c', '-?'])).toEqual({ kind: 'usage' });
  });

  test('mistakes give the usage with the problem named', () => {
    const problem = (...argv: string[]) => {
      const parsed = parseMkDockerOptsArgs(argv);
      return parsed.kind === 'usage' ? parsed.problem : 'parsed';
    };
    expect(problem('-x')).toBe('unknown option -x');
    expect(problem('--help')).toBe('unknown option --');
    expect(problem('-f')).toBe('option -f needs a value');
    expect(problem('-c', 'extra')).toBe('unexpected argument "extra"');
    expect(problem('-k', 'NOT-A-NAME')).toBe('-k "NOT-A-NAME" is not a shell variable name');
  });
});

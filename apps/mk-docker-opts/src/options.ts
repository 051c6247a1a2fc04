export const DEFAULT_FLANNEL_ENV = '/run/flannel/subnet.env';
export const DEFAULT_DOCKER_ENV = '/run/docker_opts.env';
export const DEFAULT_COMBINED_KEY = 'DOCKER_OPTS';

export interface MkDockerOptsOptions {
  /** -f: the flannel env file to read. */
  readonly flannelEnv: string;
  /** -d: the file to write. */
  readonly dockerEnv: string;
  /** -i: one variable per option. */
  readonly individual: boolean;
  /** -c: all options in one variable. */
  readonly combined: boolean;
  /** -k: the combined variable's name. */
  readonly combinedKey: string;
  /** False with -m: leave out --ip-masq (old Docker). */
  readonly ipMasq: boolean;
}

export type ParsedArgs =
  | { readonly kind: 'run'; readonly options: MkDockerOptsOptions }
  /** -h, -? or a mistake (`problem` says which): print the usage and fail. */
  | { readonly kind: 'usage'; readonly problem?: string };

const WITH_VALUE = new Set(['f', 'd', 'k']);
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses the original shell script's options as its `getopts "f:d:icmk:?h"` does: grouped flags
 * (`-ic`), values attached (`-fFILE`) or separate, `--` ends the options. Arguments after the
 * options are refused rather than silently ignored.
 */
export function parseMkDockerOptsArgs(argv: readonly string[]): ParsedArgs {
  const set = { individual: false, combined: false, ipMasq: true };
  const values: Record<string, string> = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j] as string;
      if (WITH_VALUE.has(letter)) {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) return { kind: 'usage', problem: `option -${letter} needs a value` };
        values[letter] = value;
        break;
      }
      if (letter === 'i') set.individual = true;
      else if (letter === 'c') set.combined = true;
      else if (letter === 'm') set.ipMasq = false;
      else if (letter === 'h' || letter === '?') return { kind: 'usage' };
      else return { kind: 'usage', problem: `unknown option -${letter}` };
    }
  }
  if (i < argv.length) return { kind: 'usage', problem: `unexpected argument ${JSON.stringify(argv[i])}` };
  const combinedKey = values['k'] ?? DEFAULT_COMBINED_KEY;
  if (!SHELL_NAME.test(combinedKey)) {
    return { kind: 'usage', problem: `-k ${JSON.stringify(combinedKey)} is not a shell variable name` };
  }
  // Neither -i nor -c: both.
  const both = !set.individual && !set.combined;
  return {
    kind: 'run',
    options: {
      flannelEnv: values['f'] ?? DEFAULT_FLANNEL_ENV,
      dockerEnv: values['d'] ?? DEFAULT_DOCKER_ENV,
      individual: set.individual || both,
      combined: set.combined || both,
      combinedKey,
      ipMasq: set.ipMasq,
    },
  };
}

export const USAGE = `Usage: mk-docker-opts [-f FLANNEL-ENV-FILE] [-d DOCKER-ENV-FILE] [-i] [-c] [-m] [-k COMBINED-KEY]

Writes Docker daemon options (--bip, --ip-masq, --mtu) for the subnet flanneld leased.
OPTIONS:
\t-f\tflannel env file to read (default ${DEFAULT_FLANNEL_ENV})
\t-d\tDocker env file to write, replacing it (default ${DEFAULT_DOCKER_ENV})
\t-i\twrite each option as its own variable, e.g. DOCKER_OPT_MTU="--mtu=1450"
\t-c\twrite all options combined into one variable (${DEFAULT_COMBINED_KEY})
\t-k\tname of the combined variable (default ${DEFAULT_COMBINED_KEY}); its value in the environment comes first
\t-m\tleave out --ip-masq (for old Docker versions)
With neither -i nor -c, both are written.
`;

import path from 'node:path';

export const STATE_DIR_FLAG = 'state-dir';
export const DEFAULT_STATE_DIR = '/var/lib/flannel';
const STATE_DIR_ENV = 'FLANNELD_STATE_DIR';

/** Where flanneld saves the V8 code cache of its own code: `code-cache` in the state directory. */
export function codeCacheDir(stateDirRoot: string): string {
  return path.join(path.resolve(stateDirRoot), 'code-cache');
}

/**
 * --state-dir as flanneld's options will read it, found before they are parsed (parsing them is
 * code the cache is for): the last `-state-dir`/`--state-dir` on the command line (up to `--`),
 * else FLANNELD_STATE_DIR, else the default. A command line this reads otherwise than the options
 * parser (a flag's value that looks like this flag) only makes the start miss the cache: flanneld
 * saves it where the parsed options say.
 */
export function stateDirHint(args: readonly string[], env: Readonly<Record<string, string | undefined>>): string {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    const flag = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (flag?.[1] !== STATE_DIR_FLAG) continue;
    found = flag[2] ?? args[++i] ?? found;
  }
  return found || env[STATE_DIR_ENV] || DEFAULT_STATE_DIR;
}

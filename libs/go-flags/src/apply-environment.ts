import { describeCause, FlagError } from './flag-error.js';
import type { FlagTable, FlagValues, FlagSources } from './flag-def.js';
import type { ParsedFlags } from './parse-command-line.js';

/** `<PREFIX>_<NAME>` with the name upper-cased and every '-' turned into '_' (coreos flagutil). */
export function envVariableName(prefix: string, flagName: string): string {
  return `${prefix}_${flagName.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Fills every flag not set on the command line from `<PREFIX>_<NAME>` when that variable is
 * present and non-empty. Each variable is one occurrence, so a repeatable flag gets exactly one
 * element. Flags defined with `fromEnv: false` are skipped. Returns a new result; throws
 * FlagError naming the variable for a value the flag rejects.
 */
export function applyEnvironment<T extends FlagTable>(
  table: T,
  parsed: ParsedFlags<T>,
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
): ParsedFlags<T> {
  const values = { ...parsed.values } as Record<string, unknown>;
  const sources = { ...parsed.sources } as Record<string, string>;
  for (const key of Object.keys(table)) {
    const def = table[key]!;
    if (!def.fromEnv || sources[key] !== 'default') continue;
    const variable = envVariableName(prefix, def.name);
    const text = env[variable];
    if (text === undefined || text === '') continue;
    try {
      values[key] = def.apply(values[key], text, true);
    } catch (cause) {
      const message = `invalid value ${JSON.stringify(text)} for ${variable}: ${describeCause(cause)}`;
      throw new FlagError(message, 'invalid-value', def.name, variable, { cause });
    }
    sources[key] = 'env';
  }
  return {
    ...parsed,
    values: values as FlagValues<T>,
    sources: sources as FlagSources<T>,
  };
}

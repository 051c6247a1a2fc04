import { describeCause, FlagError } from './flag-error.js';
import type { FlagSources, FlagTable, FlagValues } from './flag-def.js';

export interface ParsedFlags<T extends FlagTable> {
  readonly values: FlagValues<T>;
  /** Which flags were set explicitly, and where; 'default' for the rest. */
  readonly sources: FlagSources<T>;
  /** Arguments from the first non-flag argument on (after a `--`, everything after it). */
  readonly positionals: readonly string[];
  /** `-h`, `-help` or `--help` was given without a flag of that name being defined. Parsing stopped there. */
  readonly helpRequested: boolean;
}

/** Maps flag names to table keys, refusing tables that define a name twice. */
export function indexByName<T extends FlagTable>(table: T): Map<string, keyof T & string> {
  const byName = new Map<string, keyof T & string>();
  for (const key of Object.keys(table)) {
    const def = table[key]!;
    const existing = byName.get(def.name);
    if (existing !== undefined) throw new Error(`flag -${def.name} is defined twice (${existing}, ${key})`);
    byName.set(def.name, key);
  }
  return byName;
}

/** All defaults, all sources 'default'. */
export function defaultsOf<T extends FlagTable>(table: T): Pick<ParsedFlags<T>, 'values' | 'sources'> {
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const key of Object.keys(table)) {
    values[key] = table[key]!.defaultValue;
    sources[key] = 'default';
  }
  return { values: values as FlagValues<T>, sources: sources as FlagSources<T> };
}

/**
 * Parses `argv` (the arguments after the program name) with Go flag package semantics:
 * `-name` or `--name`, `-name=value` or `-name value`; booleans only as `-name` or `-name=value`;
 * stops at the first non-flag argument (a lone `-` counts as one) or after `--`.
 * A flag given twice keeps the last value, except repeatable ones, which append.
 * Throws FlagError for an undefined flag, bad syntax, a missing argument or a value its flag rejects.
 */
export function parseCommandLine<T extends FlagTable>(table: T, argv: readonly string[]): ParsedFlags<T> {
  const byName = indexByName(table);
  const start = defaultsOf(table);
  const values = { ...start.values } as Record<string, unknown>;
  const sources = { ...start.sources } as Record<string, string>;
  const finish = (rest: number, helpRequested: boolean): ParsedFlags<T> => ({
    values: values as FlagValues<T>,
    sources: sources as FlagSources<T>,
    positionals: argv.slice(rest),
    helpRequested,
  });

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg.length < 2 || arg[0] !== '-') break;
    let dashes = 1;
    if (arg[1] === '-') {
      if (arg.length === 2) return finish(i + 1, false);
      dashes = 2;
    }
    let name = arg.slice(dashes);
    if (name[0] === '-' || name[0] === '=') throw new FlagError(`bad flag syntax: ${arg}`, 'bad-syntax', arg);
    i++;

    let inlineValue: string | undefined;
    const equals = name.indexOf('=');
    if (equals >= 0) {
      inlineValue = name.slice(equals + 1);
      name = name.slice(0, equals);
    }

    const key = byName.get(name);
    if (key === undefined) {
      if (name === 'help' || name === 'h') return finish(i, true);
      throw new FlagError(`flag provided but not defined: -${name}`, 'undefined-flag', name);
    }
    const def = table[key]!;
    const first = sources[key] === 'default';

    if (def.isBool) {
      try {
        values[key] = def.apply(values[key], inlineValue ?? 'true', first);
      } catch (cause) {
        const message =
          inlineValue === undefined
            ? `invalid boolean flag ${name}: ${describeCause(cause)}`
            : `invalid boolean value ${JSON.stringify(inlineValue)} for -${name}: ${describeCause(cause)}`;
        throw new FlagError(message, 'invalid-value', name, undefined, { cause });
      }
    } else {
      let text = inlineValue;
      if (text === undefined) {
        if (i >= argv.length) throw new FlagError(`flag needs an argument: -${name}`, 'missing-value', name);
        text = argv[i++]!;
      }
      try {
        values[key] = def.apply(values[key], text, first);
      } catch (cause) {
        const message = `invalid value ${JSON.stringify(text)} for flag -${name}: ${describeCause(cause)}`;
        throw new FlagError(message, 'invalid-value', name, undefined, { cause });
      }
    }
    sources[key] = 'cmdline';
  }
  return finish(i, false);
}

import type { FlagDef } from './flag-def.js';
import { parseGoBool } from './go-bool.js';
import { formatDurationMs, parseGoDurationMs } from './go-duration.js';
import { parseGoInt, parseGoUint } from './go-int.js';

export interface FlagBasics {
  name: string;
  help: string;
  /** Accepted but left out of the usage text (default false). */
  hidden?: boolean;
  /** Whether the environment may set it (default true). */
  fromEnv?: boolean;
}

interface KindParts<T> {
  defaultValue: T;
  isBool: boolean;
  valueName: string;
  apply(previous: T, text: string, first: boolean): T;
  describeDefault(): string | undefined;
}

function define<T>(basics: FlagBasics, parts: KindParts<T>): FlagDef<T> {
  if (basics.name === '' || basics.name.startsWith('-') || basics.name.includes('=')) {
    throw new Error(`flag name ${JSON.stringify(basics.name)} must be non-empty, without a leading '-' or any '='`);
  }
  return {
    name: basics.name,
    help: basics.help,
    hidden: basics.hidden ?? false,
    fromEnv: basics.fromEnv ?? true,
    ...parts,
  };
}

const quoted = (text: string): string | undefined => (text === '' ? undefined : JSON.stringify(text));

export function stringFlag(o: FlagBasics & { default?: string }): FlagDef<string> {
  const defaultValue = o.default ?? '';
  return define(o, {
    defaultValue,
    isBool: false,
    valueName: 'string',
    apply: (_previous, text) => text,
    describeDefault: () => quoted(defaultValue),
  });
}

export function boolFlag(o: FlagBasics & { default?: boolean }): FlagDef<boolean> {
  const defaultValue = o.default ?? false;
  return define(o, {
    defaultValue,
    isBool: true,
    valueName: '',
    apply: (_previous, text) => parseGoBool(text),
    describeDefault: () => (defaultValue ? 'true' : undefined),
  });
}

export function intFlag(o: FlagBasics & { default?: number; valueName?: string }): FlagDef<number> {
  const defaultValue = o.default ?? 0;
  return define(o, {
    defaultValue,
    isBool: false,
    valueName: o.valueName ?? 'int',
    apply: (_previous, text) => parseGoInt(text),
    describeDefault: () => (defaultValue === 0 ? undefined : String(defaultValue)),
  });
}

export function uintFlag(o: FlagBasics & { default?: number; valueName?: string }): FlagDef<number> {
  const defaultValue = o.default ?? 0;
  return define(o, {
    defaultValue,
    isBool: false,
    valueName: o.valueName ?? 'uint',
    apply: (_previous, text) => parseGoUint(text),
    describeDefault: () => (defaultValue === 0 ? undefined : String(defaultValue)),
  });
}

/** A Go duration ("90s", "1h30m"); the value is in milliseconds. */
export function durationFlag(o: FlagBasics & { defaultMs?: number }): FlagDef<number> {
  const defaultValue = o.defaultMs ?? 0;
  return define(o, {
    defaultValue,
    isBool: false,
    valueName: 'duration',
    apply: (_previous, text) => parseGoDurationMs(text),
    describeDefault: () => (defaultValue === 0 ? undefined : formatDurationMs(defaultValue)),
  });
}

/**
 * A string flag that may be given several times; each occurrence appends one element (no comma
 * splitting). The first explicit occurrence replaces the default list. `parseItem` may check or
 * rewrite each element (throwing an Error to reject it).
 */
export function stringListFlag(
  o: FlagBasics & { default?: readonly string[]; parseItem?(text: string): string },
): FlagDef<readonly string[]> {
  const defaultValue = o.default ?? [];
  const parseItem = o.parseItem ?? ((text: string) => text);
  return define(o, {
    defaultValue,
    isBool: false,
    valueName: 'string',
    apply: (previous, text, first) => {
      const item = parseItem(text);
      return first ? [item] : [...previous, item];
    },
    describeDefault: () => (defaultValue.length === 0 ? undefined : JSON.stringify(defaultValue)),
  });
}

/** Any other kind: `parse` turns one occurrence into the value or throws an Error explaining why not. */
export function customFlag<T>(
  o: FlagBasics & {
    default: T;
    valueName: string;
    parse(text: string): T;
    /** Usage text for the default; undefined (or no function) shows none. */
    describeDefault?(value: T): string | undefined;
  },
): FlagDef<T> {
  const { parse, describeDefault } = o;
  return define(o, {
    defaultValue: o.default,
    isBool: false,
    valueName: o.valueName,
    apply: (_previous, text) => parse(text),
    describeDefault: () => describeDefault?.(o.default),
  });
}

/**
 * Accepted for compatibility and otherwise ignored (e.g. glog's -log_dir). A boolean one still
 * rejects values Go's ParseBool would reject, and never consumes the next argument.
 */
export function ignoredFlag(o: FlagBasics & { isBool: boolean }): FlagDef<undefined> {
  return define(o, {
    defaultValue: undefined,
    isBool: o.isBool,
    valueName: o.isBool ? '' : 'string',
    apply: (_previous, text) => {
      if (o.isBool) parseGoBool(text);
      return undefined;
    },
    describeDefault: () => undefined,
  });
}

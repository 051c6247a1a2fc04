/**
 * One flag: its name, help, default and how a textual value updates it. Definitions are plain
 * data gathered into a table (`{ camelCaseKey: FlagDef }`); the parser and the usage formatter
 * only read them.
 */
export interface FlagDef<T> {
  /** Name without dashes, as typed after `-` or `--`. */
  readonly name: string;
  readonly help: string;
  readonly defaultValue: T;
  /** Boolean flags take no separate argument: `-x` sets true, `-x=false` sets false. */
  readonly isBool: boolean;
  /** Placeholder shown after the name in usage ("string", "duration"); empty for booleans. */
  readonly valueName: string;
  /** Accepted but left out of the usage text. */
  readonly hidden: boolean;
  /** Whether `<PREFIX>_<NAME>` in the environment may set this flag. */
  readonly fromEnv: boolean;
  /**
   * Applies one occurrence of the flag. `first` is true for the first explicit occurrence
   * (command line or environment), so a repeatable flag can drop its default.
   * Throws an Error whose message says what is wrong with `text`.
   */
  apply(previous: T, text: string, first: boolean): T;
  /** The default as shown in usage, or undefined to show none (Go omits zero values). */
  describeDefault(): string | undefined;
}

/** A table of flags keyed by the name the program uses for the value. */
export type FlagTable = Readonly<Record<string, FlagDef<unknown>>>;

export type FlagValue<D> = D extends FlagDef<infer V> ? V : never;

export type FlagValues<T extends FlagTable> = { [K in keyof T]: FlagValue<T[K]> };

/** Where a flag's value came from. */
export type FlagSource = 'default' | 'cmdline' | 'env';

export type FlagSources<T extends FlagTable> = { [K in keyof T]: FlagSource };

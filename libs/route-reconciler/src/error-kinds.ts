const BUG_TYPES = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * True for an error that says the code is wrong, not the environment (TypeError, RangeError, ...),
 * also when it is the cause of another: retrying the same code cannot help.
 */
export function isBug(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (BUG_TYPES.some((type) => e instanceof type)) return true;
  }
  return false;
}

/** The message of `error` and of each of its causes: `dumping routes: ENOBUFS`. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 10; e = e instanceof Error ? e.cause : undefined, depth++) {
    const text = e instanceof Error ? e.message : String(e);
    if (!parts.some((p) => p.endsWith(text))) parts.push(text);
  }
  return parts.join(': ');
}

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

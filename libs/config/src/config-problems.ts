import { parseBackendConfig } from './backend-config.js';
import { ConfigError } from './errors.js';
import { foldFieldName, isJsonObject, parseJsonObject, type JsonObject } from './json-fields.js';
import { parseNetworkConfigObject } from './network-config.js';

/** More problems than any real config has: a guard against a document that keeps producing new ones. */
const MAX_PROBLEMS = 100;

/**
 * Every problem flanneld would find in a network config, its `Backend` section included, in the order
 * it would find them: an empty list exactly when flanneld accepts the config, and the first entry is
 * the error flanneld reports. The validation itself stops at the first problem; this runs it again
 * with each culprit field left out (a list entry removed, a `Backend` whose `Type` is the trouble
 * dropped whole), until the rest passes or the culprit cannot be left out (the document as a whole,
 * a missing `Network`).
 */
export function findConfigProblems(text: string): ConfigError[] {
  let document: JsonObject;
  try {
    document = parseJsonObject(text);
  } catch (err) {
    if (err instanceof ConfigError) return [err];
    throw err;
  }
  const problems: ConfigError[] = [];
  const reported = new Set<string>();
  // Original positions of the entries still in each list, so later entries keep their own index.
  const positions = new Map<string, number[]>();
  while (problems.length < MAX_PROBLEMS) {
    const problem = firstProblem(document);
    if (problem === undefined) break;
    const path = splitField(problem.field);
    const original = path && originalField(path, positions, document);
    if (original === undefined || reported.has(original)) {
      // Leaving the field out did not help: its parent goes, if it has one.
      const parent = path?.parent;
      const without = parent === undefined ? undefined : withoutField(document, { parent: undefined, name: parent });
      if (without === undefined) break;
      document = without;
      continue;
    }
    reported.add(original);
    problems.push(original === problem.field ? problem : new ConfigError(original, problem.detail, { cause: problem }));
    const without = withoutField(document, path!, positions);
    if (without === undefined) break;
    document = without;
  }
  return problems;
}

function firstProblem(document: JsonObject): ConfigError | undefined {
  try {
    parseBackendConfig(parseNetworkConfigObject(document));
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

/** `Backend.VNI` → parent Backend, name VNI; `Networks[2]` → name Networks, index 2. */
interface FieldPath {
  readonly parent: string | undefined;
  readonly name: string;
  readonly index?: number;
}

function splitField(field: string): FieldPath | undefined {
  const m = /^(?:([A-Za-z0-9]+)\.)?([A-Za-z0-9]+)(?:\[(\d+)\])?$/.exec(field);
  if (!m) return undefined;
  return { parent: m[1], name: m[2]!, ...(m[3] === undefined ? {} : { index: Number(m[3]) }) };
}

const listKey = (path: FieldPath) => `${path.parent ?? ''}.${foldFieldName(path.name)}`;

function originalField(path: FieldPath, positions: Map<string, number[]>, document: JsonObject): string {
  const base = path.parent === undefined ? path.name : `${path.parent}.${path.name}`;
  if (path.index === undefined) return base;
  const list = positions.get(listKey(path)) ?? identity(listOf(document, path));
  return `${base}[${list[path.index] ?? path.index}]`;
}

function identity(list: readonly unknown[]): number[] {
  return list.map((_, i) => i);
}

function listOf(document: JsonObject, path: FieldPath): readonly unknown[] {
  const holder = path.parent === undefined ? document : lastMatch(document, path.parent);
  const list = isJsonObject(holder) ? lastMatch(holder, path.name) : undefined;
  return Array.isArray(list) ? list : [];
}

/** The value Go's decoder would use: the last key matching case-insensitively. */
function lastMatch(object: JsonObject, name: string): unknown {
  const wanted = foldFieldName(name);
  let found: unknown;
  for (const [key, value] of Object.entries(object)) if (foldFieldName(key) === wanted) found = value;
  return found;
}

/** A copy of `object` without the field (or list entry); undefined when there is nothing to leave out. */
function withoutField(document: JsonObject, path: FieldPath, positions?: Map<string, number[]>): JsonObject | undefined {
  if (path.parent !== undefined) {
    const holder = lastMatch(document, path.parent);
    if (!isJsonObject(holder)) return undefined;
    const inner = withoutField(holder, { parent: undefined, name: path.name, ...indexOf(path) }, undefined);
    if (inner === undefined) return undefined;
    if (path.index !== undefined) trackRemoval(positions, path, listOf(document, path));
    return replaceMatches(document, path.parent, inner);
  }
  const wanted = foldFieldName(path.name);
  const keys = Object.keys(document).filter((k) => foldFieldName(k) === wanted);
  if (keys.length === 0) return undefined;
  if (path.index === undefined) {
    return Object.fromEntries(Object.entries(document).filter(([k]) => foldFieldName(k) !== wanted));
  }
  const list = lastMatch(document, path.name);
  if (!Array.isArray(list) || path.index >= list.length) return undefined;
  trackRemoval(positions, path, list);
  return replaceMatches(document, path.name, list.filter((_, i) => i !== path.index));
}

const indexOf = (path: FieldPath) => (path.index === undefined ? {} : { index: path.index });

function trackRemoval(positions: Map<string, number[]> | undefined, path: FieldPath, list: readonly unknown[]): void {
  if (positions === undefined || path.index === undefined) return;
  const key = listKey(path);
  const current = positions.get(key) ?? identity(list);
  positions.set(key, current.filter((_, i) => i !== path.index));
}

/** The document with every key matching `name` replaced by one holding `value`. */
function replaceMatches(document: JsonObject, name: string, value: unknown): JsonObject {
  const wanted = foldFieldName(name);
  const rest = Object.entries(document).filter(([k]) => foldFieldName(k) !== wanted);
  return Object.fromEntries([...rest, [name, value]]);
}

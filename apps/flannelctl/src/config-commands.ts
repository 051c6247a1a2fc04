import { findConfigProblems } from '@flannel-ts/config';
import { configKey } from '@flannel-ts/subnet';
import { withRegistry } from './etcd-session.js';
import { EXIT_PROBLEMS, type CommandIo, type ExitCode } from './io.js';
import type { FlannelctlOptions } from './parse-args.js';
import { readInput } from './read-input.js';
import { storedConfigText } from './stored-config.js';

/** `config get`: the stored text as is; with --json, the key, the text and the decoded document. */
export async function configGet(o: FlannelctlOptions, io: CommandIo): Promise<ExitCode> {
  const text = await withRegistry(o, (r) => storedConfigText(r, o.prefix));
  if (!o.json) {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return 0;
  }
  let config: unknown = null;
  try {
    config = JSON.parse(text);
  } catch {
    // Not JSON: `config` stays null and `raw` says what is there.
  }
  io.stdout.write(`${JSON.stringify({ key: configKey(o.prefix), raw: text, config }, null, 2)}\n`);
  return 0;
}

/** `config check [FILE|-]`: every problem flanneld would find, one line each; exit 3 when there are any. */
export async function configCheck(o: FlannelctlOptions, args: readonly string[], io: CommandIo): Promise<ExitCode> {
  const source = args[0];
  const text = source === undefined ? await withRegistry(o, (r) => storedConfigText(r, o.prefix)) : await readInput(source, io.stdin);
  const problems = findConfigProblems(text);
  if (o.json) {
    const list = problems.map((p) => ({ field: p.field, problem: p.detail, message: p.message }));
    io.stdout.write(`${JSON.stringify({ ok: problems.length === 0, problems: list }, null, 2)}\n`);
  } else if (problems.length === 0) {
    io.stdout.write('config ok\n');
  } else {
    io.stdout.write(problems.map((p) => `${p.message}\n`).join(''));
  }
  return problems.length === 0 ? 0 : EXIT_PROBLEMS;
}

/** `config set FILE|-`: the config checked, then stored as given; one with problems is refused unwritten. */
export async function configSet(o: FlannelctlOptions, args: readonly string[], io: CommandIo): Promise<ExitCode> {
  const source = args[0]!;
  const text = await readInput(source, io.stdin);
  const problems = findConfigProblems(text);
  if (problems.length > 0) {
    io.stderr.write(problems.map((p) => `flannelctl: ${p.message}\n`).join(''));
    io.stderr.write(`flannelctl: config set: refused ${source === '-' ? 'standard input' : source} (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing written\n`);
    return EXIT_PROBLEMS;
  }
  await withRegistry(o, (r) => r.putConfig(text));
  io.stdout.write(`stored ${configKey(o.prefix)}\n`);
  return 0;
}

import { execa } from 'execa';
import { CniCode, CniError } from './cni-error.js';
import type { CniCommand } from './cni-env.js';
import { isJsonObject } from './json.js';

/**
 * Runs a delegate plugin as the runtime ran us: our environment with CNI_COMMAND set, `config` on
 * stdin. Returns its stdout; its stderr goes through to ours. A failure keeps the delegate's own CNI
 * error code, with our context added to the message.
 */
export async function invokeDelegate(
  command: CniCommand,
  pluginPath: string,
  config: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const result = await execa(pluginPath, [], {
    input: config,
    env: { ...env, CNI_COMMAND: command },
    extendEnv: false,
    stdout: 'pipe',
    stderr: ['pipe', 'inherit'],
    stripFinalNewline: false,
    reject: false,
  });
  if (result.exitCode === 0) return result.stdout;
  const what = `delegate plugin ${pluginPath} ${command}`;
  const reported = parseCniError(result.stdout);
  if (reported !== undefined) {
    throw new CniError(reported.code, `${what}: ${reported.msg}`, reported.details);
  }
  const how = result.exitCode === undefined ? (result.shortMessage ?? 'did not run').split('\n')[0] : `exit ${result.exitCode}`;
  const output = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ');
  throw new CniError(CniCode.internal, `${what} failed (${how})${output === '' ? '' : `: ${output}`}`);
}

function parseCniError(stdout: string): { code: number; msg: string; details: string } | undefined {
  try {
    const reply: unknown = JSON.parse(stdout);
    if (!isJsonObject(reply) || typeof reply['code'] !== 'number' || typeof reply['msg'] !== 'string') return undefined;
    return { code: reply['code'], msg: reply['msg'], details: typeof reply['details'] === 'string' ? reply['details'] : '' };
  } catch {
    return undefined;
  }
}

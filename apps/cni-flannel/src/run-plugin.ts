import { cmdAdd } from './cmd-add.js';
import { cmdCheck } from './cmd-check.js';
import { cmdDel } from './cmd-del.js';
import { readCniCommand, readCniRequestEnv, type CniCommand, type CniRequestEnv } from './cni-env.js';
import { formatCniError, toCniError } from './cni-error.js';
import { LATEST_VERSION, SUPPORTED_VERSIONS, assertSupportedVersion, versionInfo } from './cni-version.js';
import { parseNetConf, peekCniVersion, type FlannelNetConf } from './net-conf.js';

type Command = (request: CniRequestEnv, conf: FlannelNetConf, env: NodeJS.ProcessEnv) => Promise<string>;

const COMMANDS: Record<CniCommand, Command> = { ADD: cmdAdd, DEL: cmdDel, CHECK: cmdCheck };

/**
 * One CNI call: the command from the environment, the network config from stdin, the result (or the
 * CNI error JSON) on stdout. Returns the exit status.
 */
export async function runCniPlugin(env: NodeJS.ProcessEnv): Promise<number> {
  let stdin: string | undefined;
  try {
    const command = readCniCommand(env);
    if (command === 'VERSION') {
      process.stdout.write(`${versionInfo()}\n`);
      return 0;
    }
    const request = readCniRequestEnv(command, env);
    stdin = await readStdin();
    const conf = parseNetConf(stdin);
    assertSupportedVersion(conf.cniVersion);
    process.stdout.write(await COMMANDS[command](request, conf, env));
    return 0;
  } catch (error) {
    process.stdout.write(`${formatCniError(toCniError(error), errorVersion(stdin))}\n`);
    return 1;
  }
}

/** An error reply speaks the request's version when we support it. */
function errorVersion(stdin: string | undefined): string {
  const version = stdin === undefined ? undefined : peekCniVersion(stdin);
  return version !== undefined && (SUPPORTED_VERSIONS as readonly string[]).includes(version) ? version : LATEST_VERSION;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

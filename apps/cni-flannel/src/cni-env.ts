import { CniCode, CniError } from './cni-error.js';
import { quote } from './quote.js';
import { MAX_CONTAINER_ID_LENGTH } from './state-store.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

/** The CNI_* variables of one ADD, DEL or CHECK call, validated. */
export interface CniRequestEnv {
  readonly command: CniCommand;
  readonly containerId: string;
  /** Optional for DEL. */
  readonly netns: string | undefined;
  readonly ifname: string;
  /** Directories to search for the delegate plugin, in order. */
  readonly path: readonly string[];
}

const REQUIRED: Record<CniCommand, readonly string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH'],
};

// The container id names our state file, so it must never be a path.
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** CNI_COMMAND: 'VERSION' or one of the three that take a network config. */
export function readCniCommand(env: NodeJS.ProcessEnv): CniCommand | 'VERSION' {
  const command = env['CNI_COMMAND'];
  if (command === undefined || command === '') {
    throw new CniError(CniCode.invalidEnvironment, 'required env variables missing: CNI_COMMAND');
  }
  if (command === 'VERSION' || Object.hasOwn(REQUIRED, command)) return command as CniCommand | 'VERSION';
  throw new CniError(CniCode.invalidEnvironment, `unknown CNI_COMMAND: ${quote(command)}`, 'expected ADD, DEL, CHECK or VERSION');
}

export function readCniRequestEnv(command: CniCommand, env: NodeJS.ProcessEnv): CniRequestEnv {
  const missing = REQUIRED[command].filter((name) => (env[name] ?? '') === '');
  if (missing.length > 0) {
    throw new CniError(CniCode.invalidEnvironment, `required env variables missing: ${missing.join(', ')}`);
  }
  const containerId = env['CNI_CONTAINERID'] as string;
  assertContainerId(containerId);
  const ifname = env['CNI_IFNAME'] as string;
  assertInterfaceName(ifname);
  return {
    command,
    containerId,
    netns: env['CNI_NETNS'] || undefined,
    ifname,
    path: (env['CNI_PATH'] as string).split(':').filter((dir) => dir !== ''),
  };
}

function assertContainerId(id: string): void {
  if (id.length > MAX_CONTAINER_ID_LENGTH) {
    throw new CniError(
      CniCode.invalidEnvironment,
      `CNI_CONTAINERID ${quote(id)} is too long (at most ${MAX_CONTAINER_ID_LENGTH} characters)`,
      'the id names the file that keeps the container\'s delegate config, and a file name has at most 255 bytes',
    );
  }
  if (!CONTAINER_ID.test(id)) {
    throw new CniError(
      CniCode.invalidEnvironment,
      `invalid characters in CNI_CONTAINERID ${quote(id)}`,
      'it must start with a letter or digit, followed by letters, digits, "_", "." or "-"',
    );
  }
}

function assertInterfaceName(name: string): void {
  const problem =
    name.length > 15 ? 'longer than 15 characters'
    : name === '.' || name === '..' ? 'not a valid name'
    : /[/:\s]/.test(name) ? 'contains "/", ":" or whitespace'
    : undefined;
  if (problem !== undefined) {
    throw new CniError(CniCode.invalidEnvironment, `invalid CNI_IFNAME ${quote(name)}: ${problem}`);
  }
}

import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, LabHost, LabProcess } from '../lab/lab.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The built flanneld (`npm run build`). */
export const FLANNELD = path.join(root, 'dist/apps/supervisor/flanneld');

export function assertBuilt(): void {
  if (!existsSync(FLANNELD)) throw new Error(`${FLANNELD} is missing: run "npm run build" first`);
}

export interface Daemon {
  readonly host: LabHost;
  readonly dir: string;
  readonly subnetFile: string;
  proc: LabProcess;
  /** Every log message so far, in order. */
  messages(): string[];
  /** The env file's content, or undefined while it does not exist. */
  env(): string | undefined;
  restart(extraEnv?: Record<string, string>): void;
}

/** Starts flanneld on a lab host, with every path under `dir` and etcd in the switch namespace (or at `etcdEndpoints`). */
export async function startFlanneld(
  lab: Lab,
  host: LabHost,
  dir: string,
  options: { args?: string[]; env?: Record<string, string>; /** Default: the lab's single etcd. */ etcdEndpoints?: readonly string[] } = {},
): Promise<Daemon> {
  await mkdir(dir, { recursive: true });
  const subnetFile = path.join(dir, 'run', 'subnet.env');
  const logFile = path.join(dir, 'flanneld.log');
  const args = [
    `--etcd-endpoints=${(options.etcdEndpoints ?? [`http://${lab.switchIp}:2379`]).join(',')}`,
    `--subnet-file=${subnetFile}`,
    `--state-dir=${path.join(dir, 'state')}`,
    '--iface=eth0',
    ...(options.args ?? []),
  ];
  const spawn = (env?: Record<string, string>) =>
    lab.spawn(host.ns, [FLANNELD, ...args], { env: { ...options.env, ...env }, stdout: logFile, stderr: logFile });
  const daemon: Daemon = {
    host,
    dir,
    subnetFile,
    proc: spawn(),
    messages: () => readMessages(logFile),
    env: () => (existsSync(subnetFile) ? readFileSync(subnetFile, 'utf8') : undefined),
    restart(extraEnv) {
      daemon.proc = spawn(extraEnv);
    },
  };
  return daemon;
}

function readMessages(logFile: string): string[] {
  if (!existsSync(logFile)) return [];
  return completeLines(readFileSync(logFile, 'utf8'))
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

/** The lines of a log being written: a last line without its newline yet is left for the next read. */
export function completeLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines;
}

export function envValue(env: string | undefined, key: string): string | undefined {
  return env?.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
}

export const ALLOC_CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}';
export const CONFIG_KEY = '/coreos.com/network/config';

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { assertAddonBuilt as assertBuilt, pidExists, run, runChecked } from '@flannel-ts/testing';

export const netlinkRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = resolve(netlinkRoot, '../..');
const runnerScript = resolve(netlinkRoot, 'test/netns-runner.ts');

/** For beforeAll: these tests exercise the real addon, so say plainly how to get it. */
export function assertAddonBuilt(): void {
  assertBuilt('netlink', resolve(netlinkRoot, 'build/Release/netlink.node'));
  if (process.getuid?.() !== 0) throw new Error('the netlink tests create network namespaces: run them as root');
}

const NS_PATTERN = /^ftnl-(\d+)-[0-9a-f]+$/;

/** A fresh namespace "ftnl-<pid>-<random>" with lo up; first removes leftovers whose owner died. */
export async function createNetns(): Promise<string> {
  for (const line of (await runChecked('ip', ['netns', 'list'])).split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const owner = NS_PATTERN.exec(name)?.[1];
    if (owner !== undefined && !pidExists(Number(owner))) await deleteNetns(name);
  }
  const name = `ftnl-${process.pid}-${randomBytes(3).toString('hex')}`;
  await runChecked('ip', ['netns', 'add', name]);
  await runChecked('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

export async function deleteNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'delete', name]);
}

/** `ip -n <ns> <args>`, throwing with stderr on failure. */
export function ip(ns: string, args: readonly string[]): Promise<string> {
  return runChecked('ip', ['-n', ns, ...args]);
}

export async function ipJson<T>(ns: string, args: readonly string[]): Promise<T> {
  return JSON.parse((await runChecked('ip', ['-n', ns, '-j', ...args])) || '[]') as T;
}

/** Many ip commands in one process (`ip -batch`). */
export async function ipBatch(ns: string, commands: readonly string[]): Promise<void> {
  await runChecked('ip', ['-n', ns, '-batch', '-'], { input: `${commands.join('\n')}\n`, timeoutMs: 120_000 });
}

export async function bridgeJson<T>(ns: string, args: readonly string[]): Promise<T> {
  return JSON.parse((await runChecked('ip', ['netns', 'exec', ns, 'bridge', '-j', ...args])) || '[]') as T;
}

export interface RunnerError {
  name: string;
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
}

interface Reply {
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: RunnerError;
  sub?: number;
  event?: unknown;
  closedInCallback?: boolean;
  ready?: number;
}

/** test/netns-runner.ts inside `ns`: calls the facade there and reports events. */
export class NetnsRunner {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  /** Every subscription line received so far, in order. */
  readonly notices: Reply[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly pid: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(ns: string): Promise<NetnsRunner> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', runnerScript], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const ready = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`netns runner did not start within 20 s: ${stderr}`)), 20_000);
      lines.once('line', (line) => {
        clearTimeout(timer);
        const reply = JSON.parse(line) as Reply;
        if (reply.ready === undefined) reject(new Error(`unexpected first line from the runner: ${line}`));
        else resolve(reply.ready);
      });
      child.once('exit', (code) => reject(new Error(`netns runner exited (${code}) before starting: ${stderr}`)));
    });
    const runner = new NetnsRunner(child, ready);
    lines.on('line', (line) => runner.receive(JSON.parse(line) as Reply));
    return runner;
  }

  private receive(reply: Reply): void {
    if (reply.id !== undefined) {
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    } else {
      this.notices.push(reply);
    }
  }

  private send(op: string, args: unknown[]): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  }

  /** Calls `op` in the namespace; rejects with the error the runner reports. */
  async call<T = unknown>(op: string, ...args: unknown[]): Promise<T> {
    const reply = await this.send(op, args);
    if (!reply.ok) throw Object.assign(new Error(reply.error?.message), reply.error);
    return reply.value as T;
  }

  /** Calls `op` expecting a failure, and returns it. */
  async failure(op: string, ...args: unknown[]): Promise<RunnerError> {
    const reply = await this.send(op, args);
    if (reply.ok) throw new Error(`${op} succeeded, returning ${JSON.stringify(reply.value)}; expected an error`);
    return reply.error!;
  }

  /** Events of subscription `sub`, in arrival order. */
  events<T = unknown>(sub: number): T[] {
    return this.notices.filter((notice) => notice.sub === sub && notice.event !== undefined).map((notice) => notice.event as T);
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A fresh namespace with veth0 (192.0.2.1/24, up) paired to veth1, and a runner inside it. */
export interface VethNamespace {
  readonly ns: string;
  readonly runner: NetnsRunner;
  /** veth0's ifindex. */
  readonly veth0: number;
  dispose(): Promise<void>;
}

export async function startVethNamespace(): Promise<VethNamespace> {
  assertAddonBuilt();
  const ns = await createNetns();
  try {
    await ipBatch(ns, ['link add veth0 type veth peer name veth1', 'addr add 192.0.2.1/24 dev veth0', 'link set veth0 up', 'link set veth1 up']);
    const veth0 = (await ipJson<{ ifindex: number }[]>(ns, ['link', 'show', 'veth0']))[0]!.ifindex;
    const runner = await NetnsRunner.start(ns);
    return {
      ns,
      runner,
      veth0,
      dispose: async () => {
        await runner.stop();
        await deleteNetns(ns);
      },
    };
  } catch (error) {
    await deleteNetns(ns);
    throw error;
  }
}

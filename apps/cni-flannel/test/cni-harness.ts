import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Lab } from '@flannel-ts/testing';

/** The built plugin; tests run this file itself, not the npm bin shim. */
export const PLUGIN = fileURLToPath(new URL('../../../dist/apps/cni-flannel/flannel', import.meta.url));
/** Debian's containernetworking-plugins (bridge, host-local, ...). */
export const SYSTEM_CNI_PATH = '/usr/lib/cni';

export function assertPluginBuilt(): void {
  if (!existsSync(PLUGIN)) {
    throw new Error(`${PLUGIN} is missing: build it with "NX_DAEMON=false NX_NO_CLOUD=true npx nx run cni-flannel:build"`);
  }
}

export interface CniCall {
  readonly command: 'ADD' | 'DEL' | 'CHECK' | 'VERSION';
  readonly config?: object | string;
  readonly containerId?: string;
  /** Full path, e.g. /var/run/netns/<ns>. */
  readonly netns?: string;
  readonly ifname?: string;
  readonly cniPath?: string;
  readonly env?: Record<string, string | undefined>;
}

export interface CniReply {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed; undefined when empty. */
  readonly json: Record<string, unknown> | undefined;
}

/** Runs the plugin as a runtime does, inside lab namespace `ns` (the "host" the containers hang off). */
export async function runCni(lab: Lab, ns: string, call: CniCall): Promise<CniReply> {
  const env: Record<string, string | undefined> = {
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId,
    CNI_NETNS: call.netns,
    CNI_IFNAME: call.ifname ?? (call.command === 'VERSION' ? undefined : 'eth0'),
    CNI_PATH: call.cniPath ?? SYSTEM_CNI_PATH,
    CNI_ARGS: undefined,
    ...call.env,
  };
  const input = typeof call.config === 'string' ? call.config : JSON.stringify(call.config ?? {});
  const result = await lab.exec(ns, [PLUGIN], { env, input });
  let json: Record<string, unknown> | undefined;
  if (result.stdout.trim() !== '') {
    try {
      json = JSON.parse(result.stdout) as Record<string, unknown>;
    } catch {
      throw new Error(`plugin ${call.command} printed non-JSON on stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    }
  }
  return { ...result, json };
}

/** Fails the test with the plugin's own words unless it succeeded. */
export function expectSuccess(reply: CniReply, what: string): CniReply {
  if (reply.exitCode !== 0) {
    throw new Error(`${what} failed (exit ${reply.exitCode}): ${reply.stdout} ${reply.stderr}`.trim());
  }
  return reply;
}

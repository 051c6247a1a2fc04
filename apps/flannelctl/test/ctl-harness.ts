import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from '@flannel-ts/testing';

/** The bundled binary `npm run build` makes. */
export const BINARY = fileURLToPath(new URL('../../../dist/apps/flannelctl/flannelctl', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: build it with "NX_DAEMON=false NX_NO_CLOUD=true npx nx run flannelctl:build"`);
}

/** Runs flannelctl with no FLANNELD_* variables from the test's own environment, plus `env`. */
export function flannelctl(args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  const clean = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('FLANNELD_')).map((k) => [k, undefined]));
  return run(BINARY, args, { env: { ...clean, ...options.env }, ...(options.input === undefined ? {} : { input: options.input }) });
}

const goldenUrl = (name: string) => new URL(`./golden/${name}`, import.meta.url);

/** The expected output kept in test/golden; UPDATE_GOLDEN=1 rewrites it from `actual`. */
export function golden(name: string, actual: string): string {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenUrl(name), actual);
  return readFileSync(goldenUrl(name), 'utf8');
}

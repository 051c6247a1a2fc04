import type { EtcdServer } from './etcd-server.js';

export type EtcdTxnOp = { readonly put: readonly [key: string, value: string] } | { readonly del: string };

export interface EtcdTxnResult {
  /** The store revision the transaction produced (all its writes share it). */
  readonly revision: number;
  readonly succeeded: boolean;
}

/**
 * Applies all `ops` in ONE etcd transaction through `etcdctl txn` (no compares, so it always
 * succeeds). etcd rejects transactions with more than --max-txn-ops (default 128) operations.
 */
export async function etcdctlTxn(
  server: Pick<EtcdServer, 'etcdctl'>,
  ops: readonly EtcdTxnOp[],
): Promise<EtcdTxnResult> {
  const stdout = await server.etcdctl(['txn', '--write-out=json'], { input: txnRequest(ops) });
  let parsed: { header?: { revision?: number | string }; succeeded?: boolean };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch (error) {
    throw new Error(`etcdctl txn printed something other than JSON: ${stdout.slice(0, 200)}`, { cause: error });
  }
  return { revision: Number(parsed.header?.revision ?? NaN), succeeded: parsed.succeeded === true };
}

/**
 * etcdctl's non-interactive txn format: compares, blank line, success ops, blank line, failure
 * ops, blank line. Arguments are Go-quoted strings, which JSON string syntax satisfies; `--` keeps
 * keys and values that start with '-' from being read as flags.
 */
export function txnRequest(ops: readonly EtcdTxnOp[]): string {
  const lines = ops.map((op) =>
    'put' in op
      ? `put -- ${JSON.stringify(op.put[0])} ${JSON.stringify(op.put[1])}`
      : `del -- ${JSON.stringify(op.del)}`,
  );
  return ['', ...lines, '', '', ''].join('\n');
}

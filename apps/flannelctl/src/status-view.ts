import type { DaemonStatus, NetworkStatus } from './daemon-status.js';
import { formatFields } from './table.js';

type Field = readonly [string, string];

const readiness = (ready: boolean, reason: string | null | undefined) => (ready ? 'yes' : `no${reason ? ` (${reason})` : ''}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The daemon's status as label/value lines, one block per network. */
export function formatStatus(s: DaemonStatus): string {
  const fields: Field[] = [
    ['flanneld', `pid ${s.pid ?? '?'}, version ${s.version ?? '?'}, mode ${s.mode ?? '?'}`],
    ['ready', readiness(s.ready, s.reason)],
  ];
  for (const n of s.networks) fields.push(...networkFields(n, s.networks.length > 1 || n.name !== ''));
  return formatFields(fields);
}

/** A network's lines; in multi-network mode they are indented under its name. */
function networkFields(n: NetworkStatus, named: boolean): Field[] {
  const at = named ? '  ' : '';
  const under = `${at}  `;
  const fields: Field[] = [];
  fields.push(['network', `${named ? `${n.name || '(default)'} ` : ''}${n.network ?? '(no config yet)'}`]);
  const lease = n.lease;
  fields.push([`${at}lease`, lease ? `${lease.subnet}, public IP ${lease.publicIp}, ${lease.expiration ? `expires ${lease.expiration}` : 'expiry not known yet'}` : 'none yet']);
  const pid = n.backendPid === null || n.backendPid === undefined ? 'not running' : `pid ${n.backendPid}`;
  fields.push([`${at}backend`, `${n.backend ?? 'not known yet'}, ${pid}, ${plural(n.backendRestarts ?? 0, 'restart')}`]);
  const status = n.backendStatus;
  if (status?.detail) fields.push([`${under}detail`, status.detail]);
  if (named) fields.push([`${at}ready`, readiness(n.ready, n.reason)]);
  const kernel = status?.kernel;
  if (kernel === undefined) {
    fields.push([`${at}kernel`, status ? 'not reported by the backend' : 'no report yet']);
    return fields;
  }
  fields.push([`${at}kernel`, `${kernel.present} of ${kernel.wanted} wanted entries present`]);
  for (const entry of kernel.missing) fields.push([`${under}missing`, entry]);
  for (const r of kernel.repaired) fields.push([`${under}repaired`, `${r.at}  ${r.entry}`]);
  return fields;
}

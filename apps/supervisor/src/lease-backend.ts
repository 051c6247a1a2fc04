import { parseBackendConfig, UnknownBackendError, type NetworkConfig } from '@flannel-ts/config';
import type { LeaseAttrs } from '@flannel-ts/subnet';
import type { IP4 } from '@flannel-ts/ip';
import { ExitError } from './exit-error.js';

/** What the supervisor needs from the backend before and after leasing. */
export interface LeaseBackend {
  readonly type: string;
  readonly attrs: LeaseAttrs;
  readonly mtu: number;
}

/**
 * The one table from backend type to implementation. `alloc` runs inside the supervisor (lease
 * only, no datapath); the datapath backends are separate binaries that later issues add.
 */
export function createLeaseBackend(config: NetworkConfig, ext: { extAddr: IP4; mtu: number }): LeaseBackend {
  let backend;
  try {
    backend = parseBackendConfig(config);
  } catch (err) {
    if (err instanceof UnknownBackendError) throw new ExitError(err.message, 1, { cause: err });
    throw err;
  }
  switch (backend.type) {
    case 'alloc':
      return { type: 'alloc', attrs: { publicIp: ext.extAddr }, mtu: ext.mtu };
    default:
      throw new ExitError(`backend type ${backend.type} is not supported yet (this build has: alloc)`, 1);
  }
}

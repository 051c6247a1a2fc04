import { apiPaths, decodeNetworkWatchResult, isSnapshot } from '@flannel-ts/lease-api';
import type { NetworkChange, NetworkListing, NetworkRegistry, NetworkWatchHandlers, SubnetManager, WatchHandle } from '@flannel-ts/subnet';
import { BadReplyError } from './server-errors.js';
import { decoded, RemoteSubnetManager } from './remote-subnet-manager.js';
import type { ServerTransport } from './server-transport.js';
import { TroubleBackoff, watchLoop } from './watch-loop.js';

/** The networks a flanneld server serves (`GET /v1/`), each reached through the same connection. */
export class RemoteNetworkRegistry implements NetworkRegistry {
  readonly prefix: string;
  private readonly trouble = new TroubleBackoff();

  constructor(private readonly transport: ServerTransport) {
    this.prefix = transport.baseUrl;
  }

  async listNetworks(signal?: AbortSignal): Promise<NetworkListing> {
    const { url, value } = await this.transport.json('GET', apiPaths.networks(), signal ? { signal } : {});
    const result = decoded(url, () => decodeNetworkWatchResult(value));
    if (!isSnapshot(result)) throw new BadReplyError(url, 'a watch without a cursor answered events, not a snapshot');
    return { names: [...(result.snapshot ?? [])], revision: result.cursor };
  }

  watchNetworks(fromRevision: string, handlers: NetworkWatchHandlers): Promise<WatchHandle> {
    return Promise.resolve(
      watchLoop<NetworkChange>({
        transport: this.transport,
        path: (cursor) => apiPaths.networks(cursor),
        fromRevision,
        handlers,
        trouble: this.trouble,
        decode: (url, value) => {
          const result = decoded(url, () => decodeNetworkWatchResult(value));
          const changes = (result.events ?? []).map((ev) => {
            if (ev.network === undefined) throw new BadReplyError(url, 'a network event names no network');
            return { type: ev.type, name: ev.network };
          });
          return { changes, cursor: result.cursor, snapshot: isSnapshot(result) };
        },
        probe: (signal) => this.listNetworks(signal),
      }),
    );
  }

  managerFor(name: string): SubnetManager {
    return new RemoteSubnetManager(this.transport, name, false);
  }

  close(): void {
    this.transport.close();
  }
}

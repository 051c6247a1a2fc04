import type { NetworkChange, NetworkListing, NetworkRegistry, NetworkWatchHandlers, SubnetManager, WatchHandle } from '@flannel-ts/subnet';
import { BadReplyError } from './server-errors.js';
import { decoded, RemoteSubnetManager } from './remote-subnet-manager.js';
import type { ServerTransport } from './server-transport.js';
import { TroubleBackoff, watchLoop } from './watch-loop.js';
import * as wire from './wire.js';

/** The networks a flanneld server serves (`GET /v1/`), each reached through the same connection. */
export class RemoteNetworkRegistry implements NetworkRegistry {
  readonly prefix: string;
  private readonly trouble = new TroubleBackoff();

  constructor(private readonly transport: ServerTransport) {
    this.prefix = transport.baseUrl;
  }

  async listNetworks(signal?: AbortSignal): Promise<NetworkListing> {
    const { url, value } = await this.transport.json('GET', '/', signal ? { signal } : {});
    const result = decoded(url, () => wire.decodeNetworkWatchResult(value));
    if (result.events.length > 0) throw new BadReplyError(url, 'a watch without a cursor answered events, not a snapshot');
    if (result.cursor === undefined) throw new BadReplyError(url, 'the network list has no cursor');
    return { names: result.snapshot, revision: result.cursor };
  }

  watchNetworks(fromRevision: string, handlers: NetworkWatchHandlers): Promise<WatchHandle> {
    return Promise.resolve(
      watchLoop<NetworkChange>({
        transport: this.transport,
        path: '/',
        fromRevision,
        handlers,
        trouble: this.trouble,
        decode: (url, value) => {
          const result = decoded(url, () => wire.decodeNetworkWatchResult(value));
          if (result.events.length > 0 && result.cursor === undefined) throw new BadReplyError(url, 'network events without a cursor');
          return {
            changes: result.events.map((ev) => ({ type: ev.type, name: ev.network })),
            cursor: result.cursor ?? '',
            snapshot: result.events.length === 0,
          };
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

// The raw addon built from native/ (addon.cc). Private to this app: callers use src/datapath.ts.
// Addresses are uint32 numbers in host order (as @flannel-ts/ip's IP4).
export interface UdpDatapathNative {
  Datapath: new (nameTemplate: string, offloads: boolean) => NativeDatapath;
}

export interface NativeFeatures {
  vnetHeader: boolean;
  gso: boolean;
  gro: boolean;
  /** TUN queues, each with its UDP socket and its two threads. */
  queues: number;
  /** Why an offload asked for is off; "" when none is. */
  problem: string;
}

export interface NativeDatapath {
  tunName(): string;
  features(): NativeFeatures;
  bind(address: number, port: number, bufferBytes: number): void;
  start(tunAddress: number, mtu: number): void;
  stop(): void;
  close(): void;
  /** [network, prefixLength, peer] triples. */
  setPeers(routes: Uint32Array): void;
  setTunAddress(address: number): void;
  counters(): Record<string, number>;
  failure(): string | undefined;
}

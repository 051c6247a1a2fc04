// The raw addon built from native/ (addon.cc). Private to this app: callers use src/datapath.ts.
// Addresses are uint32 numbers in host order (as @flannel-ts/ip's IP4).
export interface UdpDatapathNative {
  /** `queues`: 1–8, default one per online CPU. */
  Datapath: new (nameTemplate: string, offloads: boolean, queues?: number) => NativeDatapath;
}

export interface NativeFeatures {
  vnetHeader: boolean;
  gso: boolean;
  gro: boolean;
  /** TUN queues, each with its UDP socket and its two threads. */
  queues: number;
  /** A steering program picks each outgoing packet's queue by its flow. */
  steering: boolean;
  /** Why an offload asked for is off; "" when none is. */
  problem: string;
  /** Why several queues have no steering program; "" otherwise. */
  steeringProblem: string;
}

/** The steering program's result for one packet (absent without a program) and its C++ reference's. */
export interface NativeQueueHash {
  program?: number;
  reference: number;
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
  /** Packets read from each TUN queue. */
  queueReads(): number[];
  queueHash(packet: Uint8Array): NativeQueueHash;
}

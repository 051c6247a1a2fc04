import type { IP4, IP4Net } from '@flannel-ts/ip';
import { udpDatapathNative } from './load-native.js';
import type { NativeDatapath } from './native.js';

/** Socket buffers, forced past net.core.{r,w}mem_max (CAP_NET_ADMIN; no sysctl is changed): 4 MiB lost
 * GRO bursts at 4 streams in the lab, 8 MiB none. */
export const DEFAULT_SOCKET_BUFFER = 8 << 20;

export interface DatapathFeatures {
  /** The TUN hands over TCP super-packets and takes GSO packets (IFF_VNET_HDR + TUNSETOFFLOAD). */
  readonly vnetHeader: boolean;
  /** Datagrams leave in UDP_SEGMENT batches. */
  readonly gso: boolean;
  /** Datagrams arrive in UDP_GRO batches. */
  readonly gro: boolean;
  /** TUN queues (one per online CPU, at most 8), each with its UDP socket and two threads. */
  readonly queues: number;
  /** Outgoing packets reach a queue by their flow (native/flow-steering.h), not by the peer that sent the flow's last reply. */
  readonly steering: boolean;
  /** Why an offload asked for is off. */
  readonly problem?: string;
  /** Why several queues have no steering program. */
  readonly steeringProblem?: string;
}

/** One peer table entry: packets to `subnet` go to `publicIp` on the datapath's port. */
export interface PeerRoute {
  readonly subnet: IP4Net;
  readonly publicIp: IP4;
}

/** Packets, bytes, batches and drops by reason (native/counters.h lists them). */
export type DatapathCounters = Readonly<Record<string, number>>;

export interface OpenDatapathOptions {
  /** TUNSETIFF name; `%d` lets the kernel pick the number. Default `flannel%d`. */
  readonly nameTemplate?: string;
  /** Ask for the TUN and socket offloads; the datapath falls back to the plain path without them. */
  readonly offloads: boolean;
  /** TUN queues, 1–8; default one per online CPU. */
  readonly queues?: number;
}

/**
 * The udp backend's packet pump (native/datapath.h): a TUN device, a UDP socket and two native
 * threads moving packets between them. JS opens and configures it; packets never enter JS.
 * The device exists as long as the datapath is open.
 */
export class UdpDatapath {
  private closed = false;

  private constructor(private readonly native: NativeDatapath) {}

  /** Creates the TUN device (`flannel0` normally). Throws an errno Error naming /dev/net/tun. */
  static open({ nameTemplate = 'flannel%d', offloads, queues }: OpenDatapathOptions): UdpDatapath {
    const { Datapath } = udpDatapathNative();
    return new UdpDatapath(new Datapath(nameTemplate, offloads, queues));
  }

  get tunName(): string {
    return this.native.tunName();
  }

  features(): DatapathFeatures {
    const { vnetHeader, gso, gro, queues, steering, problem, steeringProblem } = this.native.features();
    return { vnetHeader, gso, gro, queues, steering, ...(problem === '' ? {} : { problem }), ...(steeringProblem === '' ? {} : { steeringProblem }) };
  }

  /** Packets each queue's TUN → UDP thread has read. */
  queueReads(): number[] {
    return this.native.queueReads();
  }

  /** What the steering program (absent without one) and its C++ reference return for an IPv4 packet. */
  queueHash(packet: Uint8Array): { program?: number; reference: number } {
    return this.native.queueHash(packet);
  }

  /** Opens the UDP socket on `address:port`; errors (EADDRINUSE, ...) name the endpoint. */
  bind(address: IP4, port: number, bufferBytes = DEFAULT_SOCKET_BUFFER): void {
    this.native.bind(address, port, bufferBytes);
  }

  /** Starts both packet threads. `tunAddress` is the source of ICMP answers; `mtu` the TUN's. */
  start(tunAddress: IP4, mtu: number): void {
    this.native.start(tunAddress, mtu);
  }

  /** Replaces the peer table (longest prefix wins); packets keep flowing meanwhile. */
  setPeers(routes: readonly PeerRoute[]): void {
    const flat = new Uint32Array(routes.length * 3);
    routes.forEach((route, i) => {
      flat[i * 3] = route.subnet.ip;
      flat[i * 3 + 1] = route.subnet.prefixLen;
      flat[i * 3 + 2] = route.publicIp;
    });
    this.native.setPeers(flat);
  }

  setTunAddress(address: IP4): void {
    this.native.setTunAddress(address);
  }

  counters(): DatapathCounters {
    return this.native.counters();
  }

  /** A packet thread's fatal error (e.g. the TUN device was deleted); the thread has stopped. */
  failure(): string | undefined {
    return this.native.failure();
  }

  /** Joins the packet threads; start() may follow. */
  stop(): void {
    this.native.stop();
  }

  /** Stops and closes every descriptor: the TUN device vanishes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
  }
}

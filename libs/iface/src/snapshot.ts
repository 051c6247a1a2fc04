import type { IP4, IP4Net } from '@flannel-ts/ip';

/** What interface selection needs to know about the host, as plain data (see system-snapshot.ts). */
export interface SystemSnapshot {
  readonly interfaces: readonly SnapshotInterface[];
  /** IPv4 routes of the main table. */
  readonly routes: readonly SnapshotRoute[];
}

export interface SnapshotInterface {
  readonly name: string;
  readonly index: number;
  readonly mtu: number;
  /** IPv4 addresses in the order the kernel lists them (primary first). */
  readonly addrs: readonly InterfaceAddress[];
}

export interface InterfaceAddress {
  readonly ip: IP4;
  readonly prefixLen: number;
}

export interface SnapshotRoute {
  /** Name of the outgoing interface. */
  readonly iface: string;
  readonly dst: IP4Net;
  readonly gateway?: IP4;
  readonly metric: number;
}

// The facade's values. IPv4 addresses are dotted strings ("192.0.2.12"), prefixes "a.b.c.d/len".
// Optional fields are absent (not undefined) when the kernel reports nothing.

export interface VxlanInfo {
  vni: number;
  /** Source address of the tunnel (IFLA_VXLAN_LOCAL). */
  local?: string;
  /** UDP destination port; the kernel's default is 8472. */
  port: number;
  learning: boolean;
  gbp: boolean;
  /** The underlay link (IFLA_VXLAN_LINK). */
  vtepIndex?: number;
}

export interface LinkInfo {
  index: number;
  name: string;
  /** 'veth', 'bridge', 'vxlan', 'tun', ...; absent for drivers without one (lo, most NICs). */
  kind?: string;
  mtu: number;
  /** IFF_UP: administratively up. */
  up: boolean;
  /** IFF_* bits (IFF_RUNNING, IFF_LOWER_UP, ...). */
  flags: number;
  /** "aa:bb:cc:dd:ee:ff"; absent for links without a link-layer address (tun). */
  mac?: string;
  masterIndex?: number;
  vxlan?: VxlanInfo;
}

export interface AddrInfo {
  index: number;
  address: string;
  prefixLen: number;
}

export interface RouteInfo {
  /** "a.b.c.d/len"; the default route is "0.0.0.0/0". */
  dst: string;
  gateway?: string;
  /** Output link index. */
  oif?: number;
  /** Preferred source address. */
  prefsrc?: string;
  table: number;
  /** RTPROT_*. */
  protocol: number;
  /** RT_SCOPE_*. */
  scope: number;
  /** RTN_*. */
  type: number;
  /** The metric. */
  priority?: number;
  onlink: boolean;
  /** A multipath route: its next hops are not reported (gateway and oif are absent). */
  multipath: boolean;
}

export type RouteScope = 'universe' | 'link' | 'host';

export interface RouteSpec {
  /** "a.b.c.d/len" with no host bits set; "0.0.0.0/0" for the default route. */
  dst: string;
  gateway?: string;
  oif?: number;
  /** Use the gateway even though no local prefix covers it (RTNH_F_ONLINK). */
  onlink?: boolean;
  /** Default RT_TABLE_MAIN. */
  table?: number;
  /** Default RTPROT_BOOT when adding, as iproute2; when deleting, any unless given. */
  protocol?: number;
  /** Default 'universe' with a gateway, 'link' without (as iproute2); when deleting, any unless given. */
  scope?: RouteScope;
  /** The metric; when deleting, any unless given. */
  priority?: number;
}

export type NeighFamily = 'inet' | 'bridge';

export interface NeighInfo {
  index: number;
  /** 'inet': an ARP entry; 'bridge': a forwarding-database (fdb) entry. */
  family: NeighFamily;
  /** The neighbour's IPv4 address; for a vxlan fdb entry, the remote VTEP. */
  ip?: string;
  mac?: string;
  /** NUD_* bits. */
  state: number;
  /** NTF_* bits. */
  flags: number;
}

export interface NeighSpec {
  index: number;
  family: NeighFamily;
  /** Required for 'inet'; for 'bridge' (vxlan fdb) the remote VTEP address. */
  ip?: string;
  mac: string;
  /** Default NUD_PERMANENT. */
  state?: number;
  /** Default NTF_SELF for 'bridge', 0 for 'inet'. */
  flags?: number;
}

/** What identifies a neighbour to delete: 'inet' by ip, 'bridge' by mac (and ip for a vxlan remote). */
export interface NeighKey {
  index: number;
  family: NeighFamily;
  ip?: string;
  mac?: string;
  /** Default NTF_SELF for 'bridge', 0 for 'inet'. */
  flags?: number;
}

export interface VxlanSpec {
  name: string;
  vni: number;
  local?: string;
  vtepIndex?: number;
  /** Default 0: the kernel's default, 8472. */
  port?: number;
  /** Default false. */
  learning?: boolean;
  /** Default false. */
  gbp?: boolean;
  /** Default: the kernel picks a random one. */
  mac?: string;
  /** Default: the kernel's choice (the underlay's MTU minus 50 when vtepIndex is given). */
  mtu?: number;
}

export type NetlinkGroup = 'link' | 'addr' | 'route' | 'neigh';

export type NetlinkAction = 'new' | 'del';

export type NetlinkEvent =
  | { kind: 'link'; action: NetlinkAction; link: LinkInfo }
  | { kind: 'addr'; action: NetlinkAction; addr: AddrInfo }
  | { kind: 'route'; action: NetlinkAction; route: RouteInfo }
  | { kind: 'neigh'; action: NetlinkAction; neigh: NeighInfo }
  /** The kernel dropped notifications (receive queue full): re-list to learn what changed. */
  | { kind: 'overflow' }
  /** The subscription failed and is closed; no event follows. */
  | { kind: 'error'; error: NetlinkError };

export interface Subscription {
  readonly closed: boolean;
  /** Stops the listener thread (joined) and closes its descriptors. Idempotent; no event follows. */
  close(): void;
  /** Keep the event loop alive while subscribed (the default). */
  ref(): Subscription;
  /** Let the process exit even though the subscription is open. */
  unref(): Subscription;
}

/** Every failure reported by the kernel or libnl. */
export interface NetlinkError extends Error {
  /** The errno name: 'EEXIST', 'ESRCH', 'ENODEV', 'ENETUNREACH', ... */
  code: string;
  /** Negative, as Node's own errors. */
  errno: number;
  syscall: 'netlink';
}

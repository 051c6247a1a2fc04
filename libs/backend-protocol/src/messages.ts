import type { JsonObject } from '@flannel-ts/config';
import type { IP4, IP4Net } from '@flannel-ts/ip';
import type { Lease, PeerEvent } from './lease.js';
import type { PROTOCOL_VERSION } from './version.js';

// The messages as TypeScript sees them, addresses decoded (IP4 / IP4Net). On the wire they are plain
// JSON with dotted quads and "a.b.c.d/len" strings: encode.ts and the parse-*.ts validators convert.
// docs/ipc.md describes the wire form.

interface Versioned {
  readonly v: typeof PROTOCOL_VERSION;
}

/** The parts of the network config a backend needs. */
export interface NetworkEssentials {
  readonly network: IP4Net;
  readonly subnetLen: number;
  readonly subnetMin: IP4;
  readonly subnetMax: IP4;
  /** The config's `Backend` object as written, e.g. `{"Type":"vxlan","VNI":1}`; parse it with parseBackendConfig. */
  readonly backend: JsonObject;
}

/** The external interface flanneld chose. */
export interface ExternalInterfaceInfo {
  readonly name: string;
  readonly index: number;
  readonly mtu: number;
  /** The interface's own address used for flannel traffic. */
  readonly ifaceAddr: IP4;
  /** The address advertised to peers (the lease's PublicIP). */
  readonly extAddr: IP4;
}

/** What `init` tells a backend. */
export interface InitInfo {
  readonly config: NetworkEssentials;
  readonly iface: ExternalInterfaceInfo;
  /** This daemon's state directory (absolute). The runner keeps its lock file here. */
  readonly stateDir: string;
  /** Short id of this daemon, for names a backend derives (1-64 of [A-Za-z0-9_.-]). */
  readonly daemonId: string;
  /** flanneld's `-v`. */
  readonly verbosity: number;
  /**
   * udp only: the TUN device's name. Absent: the kernel numbers it (`flannel0` first); multi-network
   * mode names each udp network's device after its port.
   */
  readonly tunName?: string;
  /** Multi-network mode: the network's name, which starts the backend's log lines as it does flanneld's. */
  readonly network?: string;
}

export interface InitMessage extends Versioned, InitInfo {
  readonly type: 'init';
}

/** The first `lease` grants the own lease; a later one means it changed. */
export interface LeaseMessage extends Versioned, Lease {
  readonly type: 'lease';
}

/** The full peer set: replaces whatever the backend knew. Never contains the own subnet. */
export interface PeersMessage extends Versioned {
  readonly type: 'peers';
  readonly snapshot: readonly Lease[];
}

export interface PeerEventsMessage extends Versioned {
  readonly type: 'peer-events';
  readonly events: readonly PeerEvent[];
}

export interface ShutdownMessage extends Versioned {
  readonly type: 'shutdown';
  /**
   * The network is gone (multi-network mode): remove the backend's kernel state (devices, routes,
   * neighbour entries) before exiting. Absent or false: keep it for a restart.
   */
  readonly removeState?: boolean;
}

/** The answer to a message that broke the protocol; either side sends it, nobody answers it. */
export interface ProtocolErrorMessage extends Versioned {
  readonly type: 'protocol-error';
  readonly message: string;
}

/** What the backend wants in its lease and in subnet.env. */
export interface Proposal {
  readonly backendType?: string;
  readonly backendData?: JsonObject;
  /** The MTU for pods (subnet.env FLANNEL_MTU). */
  readonly mtu: number;
}

export interface ProposeMessage extends Versioned, Proposal {
  readonly type: 'propose';
}

/** Sent after each `lease` once the local side is configured. */
export interface ReadyMessage extends Versioned {
  readonly type: 'ready';
}

/** Prometheus samples a backend reports; `schema` versions this object's shape (today 1). */
export interface BackendMetrics {
  readonly schema: 1;
  readonly samples: readonly MetricSample[];
}

export interface MetricSample {
  /** /^flannel_[a-z0-9_]+$/, e.g. flannel_backend_reconcile_passes_total. */
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  /** One line. */
  readonly help: string;
  /** Label names /^[a-z_][a-z0-9_]*$/. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Finite; counters >= 0 and monotonic within one backend process. */
  readonly value: number;
}

/** What the backend's last reconcile pass found, for `flannelctl status`. */
export interface KernelReport {
  /** Kernel entries this backend wants (routes + neighbours + fdb). */
  readonly wanted: number;
  /** Of those, present at the last pass. */
  readonly present: number;
  /** At most 20, e.g. "route 10.244.2.0/24 via 192.0.2.12 dev eth0". */
  readonly missing: readonly string[];
  /** The last <= 20 repairs, `at` ISO-8601. */
  readonly repaired: readonly { readonly entry: string; readonly at: string }[];
}

export interface Status {
  readonly counters?: Readonly<Record<string, number>>;
  readonly detail?: string;
  /** A receiver ignores a schema it does not know. */
  readonly metrics?: BackendMetrics;
  readonly kernel?: KernelReport;
}

export interface StatusMessage extends Versioned, Status {
  readonly type: 'status';
}

/** A failure inside the backend. After a fatal one the backend exits 1. */
export interface ErrorMessage extends Versioned {
  readonly type: 'error';
  readonly message: string;
  readonly fatal: boolean;
}

export type SupervisorMessage =
  | InitMessage
  | LeaseMessage
  | PeersMessage
  | PeerEventsMessage
  | ShutdownMessage
  | ProtocolErrorMessage;

export type BackendMessage = ProposeMessage | ReadyMessage | StatusMessage | ErrorMessage | ProtocolErrorMessage;

export type SupervisorMessageType = SupervisorMessage['type'];
export type BackendMessageType = BackendMessage['type'];

export const SUPERVISOR_MESSAGE_TYPES: readonly SupervisorMessageType[] = [
  'init',
  'lease',
  'peers',
  'peer-events',
  'shutdown',
  'protocol-error',
];
export const BACKEND_MESSAGE_TYPES: readonly BackendMessageType[] = ['propose', 'ready', 'status', 'error', 'protocol-error'];

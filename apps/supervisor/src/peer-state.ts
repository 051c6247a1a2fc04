import { logInBurst, type Logger } from '@flannel-ts/log';
import { containsIP4, formatIP4, formatIP4Net, overlaps, sameNet, subnetKey, type IP4, type IP4Net } from '@flannel-ts/ip';
import type { Lease, LeaseEvent } from '@flannel-ts/subnet';

/** Where the filtered peers go: the backend process (or nowhere, for alloc). */
export interface PeerSink {
  /**
   * The complete peer set: after every full listing, and after the own lease changed. May resolve
   * once the set is on its way (to the backend process).
   */
  peersSnapshot(peers: readonly Lease[]): void | Promise<void>;
  peersChanged(events: readonly LeaseEvent[]): void;
}

export interface PeerScope {
  readonly network: IP4Net;
  readonly subnetLen: number;
  /** Ours: a lease advertising it is this host's, whatever its subnet (e.g. one just re-acquired). */
  readonly publicIp: IP4;
}

/**
 * The one place that decides which leases are peers. Our own lease never is (by subnet, and by
 * public IP, so a freshly re-acquired lease is not a peer for a moment), and neither is a lease
 * that is not a SubnetLen subnet inside Network or that overlaps our subnet: routing it would
 * install kernel state we never own or remove. Those are skipped with one log line each.
 */
export class PeerState {
  private readonly all = new Map<string, Lease>();
  private own: IP4Net | undefined;
  private hasListing = false;
  /** The own subnet the sink's current set was judged against (the last snapshot's or forLease's). */
  private handedFor: IP4Net | undefined;
  /** Key → value already complained about, so a lease is logged once, not at every event. */
  private readonly complained = new Map<string, string>();
  private skippedCount = 0;
  /** The first listing's "Subnet added" lines, logged once its snapshot is on its way and our lease is in place. */
  private listingLines: string[] = [];
  private markLeaseInPlace!: () => void;
  private readonly leaseInPlace = new Promise<void>((resolve) => (this.markLeaseInPlace = resolve));

  constructor(
    private readonly scope: PeerScope,
    private readonly sink: PeerSink,
    private readonly log: Logger,
  ) {}

  /** Leases skipped because of their shape or overlap, since start (each distinct value once). */
  get skipped(): number {
    return this.skippedCount;
  }

  /** A full listing of every lease (the watcher's view). */
  listed(leases: ReadonlyMap<string, Lease>): void {
    this.all.clear();
    for (const [key, lease] of leases) this.all.set(key, lease);
    this.hasListing = true;
    this.handedFor = this.own;
    const sent = this.sink.peersSnapshot(this.peers());
    // Thousands of lines cost tens of milliseconds: the backend gets the peers, and the env file is written, first.
    const lines = this.listingLines;
    this.listingLines = [];
    if (lines.length > 0) void Promise.all([sent, this.leaseInPlace]).then(() => logInBurst(this.log, () => lines.forEach((line) => this.log.info(line))));
  }

  /** Our first lease is configured (backend, env file, ip-masq): the first listing's lines may go out. */
  leaseApplied(): void {
    this.markLeaseInPlace();
  }

  /** Changes after the listing; only the peers among them reach the sink. */
  changed(events: readonly LeaseEvent[]): void {
    const forward: LeaseEvent[] = [];
    for (const ev of events) {
      const key = subnetKey(ev.lease.subnet);
      if (ev.type === 'added') this.all.set(key, ev.lease);
      else this.all.delete(key);
      if (this.isPeer(ev.lease, ev.type === 'added')) forward.push(ev);
    }
    logInBurst(this.log, () => {
      for (const ev of forward) {
        const what = `${formatIP4Net(ev.lease.subnet)} via ${formatIP4(ev.lease.attrs.publicIp)}`;
        const line = ev.type === 'added' ? `Subnet added: ${what}` : `Subnet removed: ${what}`;
        if (this.hasListing) this.log.info(line);
        else this.listingLines.push(line);
      }
    });
    if (this.hasListing && forward.length > 0) this.sink.peersChanged(forward);
  }

  /** Our lease (changed): the peers change with it (the old subnet may be another host's now). */
  setOwn(subnet: IP4Net): void {
    this.own = subnet;
  }

  /**
   * Our lease (changed), and the peers to hand the backend together with it (before the lease they
   * would be judged against the old one): undefined before the first listing (an empty set would
   * mean "no peers"), and when the set the sink has was already judged against this subnet.
   */
  forLease(subnet: IP4Net): Lease[] | undefined {
    this.setOwn(subnet);
    if (!this.hasListing || (this.handedFor && sameNet(this.handedFor, subnet))) return undefined;
    this.handedFor = subnet;
    return this.peers();
  }

  /** The current peers: every known lease that passes the filter. */
  peers(): Lease[] {
    return [...this.all.values()].filter((lease) => this.isPeer(lease, true));
  }

  private isPeer(lease: Lease, report: boolean): boolean {
    // Ours, or our subnet just taken by another host (the keeper moves us): never a peer, nothing to say.
    if (lease.attrs.publicIp === this.scope.publicIp || (this.own && sameNet(this.own, lease.subnet))) return false;
    const problem = this.problemOf(lease.subnet);
    if (problem === undefined) {
      this.complained.delete(subnetKey(lease.subnet));
      return true;
    }
    if (report) this.complain(lease, problem);
    return false;
  }

  private problemOf(subnet: IP4Net): string | undefined {
    const { network, subnetLen } = this.scope;
    if (subnet.prefixLen !== subnetLen || !containsIP4(network, subnet.ip)) {
      return `it is not a /${subnetLen} inside the network ${formatIP4Net(network)}`;
    }
    if (this.own && overlaps(this.own, subnet)) return `it overlaps this host's subnet ${formatIP4Net(this.own)}`;
    return undefined;
  }

  private complain(lease: Lease, problem: string): void {
    const key = subnetKey(lease.subnet);
    if (this.complained.get(key) === lease.value) return;
    this.complained.set(key, lease.value);
    this.skippedCount++;
    this.log.warn(`Not routing lease ${formatIP4Net(lease.subnet)} of ${formatIP4(lease.attrs.publicIp)}: ${problem}`);
  }
}

/**
 * A cloud route table as flannel-route-manager sees it: the routes it owns, one per lease, each
 * sending a lease's subnet to the host with the lease's PublicIP. The GCE and EC2 libs implement it.
 *
 * Every method throws a RetryableError for what the cloud or the network did (throttling, 5xx,
 * quota, missing permission, timeouts: an operator or time can fix those) with a message naming
 * the operation and the route; anything else it throws is a bug.
 */
export interface CloudRouteTable {
  /** For log lines: `GCE network default of project p`, `EC2 route table rtb-0abc`. */
  readonly description: string;
  /** Every route the manager owns in this table (all pages), and no other. */
  list(): Promise<CloudRoute[]>;
  /** Creates the route `subnet` → the host whose address is `publicIp`; resolves once it exists. */
  insert(subnet: string, publicIp: string): Promise<CloudRoute>;
  /** Deletes one route; resolves once it is gone. A route already gone is not an error. */
  delete(route: CloudRoute): Promise<void>;
}

export interface CloudRoute {
  /** How the cloud names it: the GCE route name, or `<table>:<destination>` for EC2. */
  readonly name: string;
  /** The destination CIDR, `10.244.3.0/24`. */
  readonly subnet: string;
  /** The address of the host it routes to (EC2: the private IP of the target instance); undefined when the target is not a host we know. */
  readonly publicIp: string | undefined;
}

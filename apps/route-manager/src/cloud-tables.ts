import type { CloudRouteTable } from '@flannel-ts/cloud-routes';
import type { IP4Net } from '@flannel-ts/ip';
import type { Logger } from '@flannel-ts/log';
import { ExitError } from '@flannel-ts/cli';
import type { CloudBackend } from './options.js';

export interface RouteTableOptions {
  readonly backend: CloudBackend;
  /** The overlay network: an EC2 table's routes inside it are the manager's. */
  readonly network: IP4Net;
  /** -backend=aws: the table to manage; undefined = the table of this instance's subnet. */
  readonly awsRouteTableId?: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** Builds the cloud route table the manager drives; tests and benchmarks pass their own. */
export type RouteTableFactory = (o: RouteTableOptions) => Promise<CloudRouteTable>;

/**
 * The one place that constructs a cloud's route table: GCE routes of this instance's network
 * (project and network from the metadata server), or one EC2 route table.
 */
export const createRouteTable: RouteTableFactory = async (o) => {
  switch (o.backend) {
    case 'google':
      throw new ExitError('-backend=google: the GCE route table is not part of this build yet');
    case 'aws':
      throw new ExitError('-backend=aws: the EC2 route table is not part of this build yet');
  }
};

import { Ec2Error } from './ec2-error.js';

export interface FakeInstance {
  readonly instanceId: string;
  readonly privateIp: string;
  /** Further private addresses of its network interfaces. */
  readonly secondaryIps: readonly string[];
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  sourceDestCheck: boolean;
}

/** A route's target: an instance, or anything else by its id (`local`, `igw-...`). */
export type RouteTarget = { readonly instanceId: string } | { readonly gatewayId: string };

export interface FakeRoute {
  readonly destination: string;
  readonly target: RouteTarget;
  /** Who made it: `CreateRoute` over the API, `CreateRouteTable` for the local route. */
  readonly origin: 'CreateRoute' | 'CreateRouteTable';
}

export interface FakeRouteTable {
  readonly routeTableId: string;
  readonly vpcId: string;
  main: boolean;
  readonly subnetIds: Set<string>;
  readonly routes: Map<string, FakeRoute>;
}

/** The state of the fake: VPCs, subnets, instances and route tables, changed by the API and by tests ("someone else"). */
export class Ec2World {
  readonly instances = new Map<string, FakeInstance>();
  readonly subnets = new Map<string, { readonly vpcId: string; readonly cidr: string }>();
  readonly vpcs = new Map<string, { readonly cidr: string }>();
  readonly tables = new Map<string, FakeRouteTable>();
  /** Routes per table, every route counted (the local one too), as AWS's default quota. */
  routeLimit = 50;
  private serial = 0;

  nextId(prefix: string): string {
    return `${prefix}-${(++this.serial).toString(16).padStart(8, '0')}`;
  }

  addVpc(cidr: string, vpcId = this.nextId('vpc')): string {
    this.vpcs.set(vpcId, { cidr });
    return vpcId;
  }

  addSubnet(vpcId: string, cidr: string, subnetId = this.nextId('subnet')): string {
    this.subnets.set(subnetId, { vpcId, cidr });
    return subnetId;
  }

  addInstance(o: { subnetId: string; privateIp: string; secondaryIps?: string[]; instanceId?: string; availabilityZone?: string }): FakeInstance {
    const subnet = this.subnets.get(o.subnetId);
    if (!subnet) throw new Error(`fake EC2: no subnet ${o.subnetId}`);
    const instance: FakeInstance = {
      instanceId: o.instanceId ?? this.nextId('i'),
      privateIp: o.privateIp,
      secondaryIps: o.secondaryIps ?? [],
      subnetId: o.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: o.availabilityZone ?? 'eu-west-1a',
      sourceDestCheck: true,
    };
    this.instances.set(instance.instanceId, instance);
    return instance;
  }

  /** A table with its `local` route; `main` makes it the VPC's main table, `subnetIds` associates subnets with it. */
  addRouteTable(o: { vpcId: string; main?: boolean; subnetIds?: string[]; routeTableId?: string }): string {
    const vpc = this.vpcs.get(o.vpcId);
    if (!vpc) throw new Error(`fake EC2: no VPC ${o.vpcId}`);
    const routeTableId = o.routeTableId ?? this.nextId('rtb');
    const routes = new Map<string, FakeRoute>([[vpc.cidr, { destination: vpc.cidr, target: { gatewayId: 'local' }, origin: 'CreateRouteTable' }]]);
    if (o.main) this.tables.forEach((t) => t.vpcId === o.vpcId && (t.main = false));
    this.tables.set(routeTableId, { routeTableId, vpcId: o.vpcId, main: o.main ?? false, subnetIds: new Set(o.subnetIds ?? []), routes });
    return routeTableId;
  }

  table(routeTableId: string): FakeRouteTable {
    const table = this.tables.get(routeTableId);
    if (!table) throw new Ec2Error('InvalidRouteTableID.NotFound', `The routeTable ID '${routeTableId}' does not exist`);
    return table;
  }

  instance(instanceId: string): FakeInstance {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    return instance;
  }

  /** `active`, or `blackhole` when the target instance no longer exists. */
  routeState(route: FakeRoute): 'active' | 'blackhole' {
    return 'instanceId' in route.target && !this.instances.has(route.target.instanceId) ? 'blackhole' : 'active';
  }

  createRoute(routeTableId: string, destination: string, target: RouteTarget): void {
    const table = this.table(routeTableId);
    if ('instanceId' in target) this.instance(target.instanceId);
    if (table.routes.has(destination)) {
      throw new Ec2Error('RouteAlreadyExists', `The route identified by ${destination} already exists.`);
    }
    if (table.routes.size >= this.routeLimit) {
      throw new Ec2Error('RouteLimitExceeded', `The maximum number of routes has been reached for route table ${routeTableId}.`);
    }
    table.routes.set(destination, { destination, target, origin: 'CreateRoute' });
  }

  deleteRoute(routeTableId: string, destination: string): void {
    const table = this.table(routeTableId);
    if (!table.routes.delete(destination)) {
      throw new Ec2Error('InvalidRoute.NotFound', `no route with destination-cidr-block ${destination} in route table ${routeTableId}`);
    }
  }

  replaceRoute(routeTableId: string, destination: string, target: RouteTarget): void {
    const table = this.table(routeTableId);
    if ('instanceId' in target) this.instance(target.instanceId);
    if (!table.routes.has(destination)) {
      throw new Ec2Error('InvalidRoute.NotFound', `There is no route defined for '${destination}' in the route table. Use CreateRoute instead.`);
    }
    table.routes.set(destination, { destination, target, origin: 'CreateRoute' });
  }
}

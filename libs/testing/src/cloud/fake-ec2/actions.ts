import { Ec2Error } from './ec2-error.js';
import type { Ec2World, FakeInstance, FakeRouteTable, RouteTarget } from './ec2-world.js';
import type { Filter, QueryParams } from './query-params.js';
import type { XmlObject } from './xml.js';

const OWNER = '111122223333';

type Action = (world: Ec2World, params: QueryParams) => XmlObject;

/** Which of a resource's values a filter name looks at; a resource matches a filter when one of them is among its values. */
type FilterFields<T> = Readonly<Record<string, (resource: T) => readonly string[]>>;

function matches<T>(resource: T, filters: readonly Filter[], fields: FilterFields<T>): boolean {
  return filters.every((f) => {
    const field = fields[f.name];
    if (!field) throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    const have = field(resource);
    return f.values.some((v) => have.includes(v));
  });
}

const INSTANCE_FILTERS: FilterFields<FakeInstance> = {
  'instance-id': (i) => [i.instanceId],
  'private-ip-address': (i) => [i.privateIp],
  'network-interface.addresses.private-ip-address': (i) => [i.privateIp, ...i.secondaryIps],
  'subnet-id': (i) => [i.subnetId],
  'vpc-id': (i) => [i.vpcId],
};

function tableFilters(world: Ec2World): FilterFields<FakeRouteTable> {
  const routes = (t: FakeRouteTable) => [...t.routes.values()];
  return {
    'route-table-id': (t) => [t.routeTableId],
    'vpc-id': (t) => [t.vpcId],
    'association.main': (t) => [String(t.main)],
    'association.subnet-id': (t) => [...t.subnetIds],
    'route.destination-cidr-block': (t) => routes(t).map((r) => r.destination),
    'route.state': (t) => routes(t).map((r) => world.routeState(r)),
    'route.instance-id': (t) => routes(t).flatMap((r) => ('instanceId' in r.target ? [r.target.instanceId] : [])),
  };
}

function instanceXml(i: FakeInstance): XmlObject {
  const eni = `eni-${i.instanceId.slice(2)}`;
  return {
    instanceId: i.instanceId,
    instanceState: { code: 16, name: 'running' },
    privateIpAddress: i.privateIp,
    subnetId: i.subnetId,
    vpcId: i.vpcId,
    placement: { availabilityZone: i.availabilityZone },
    sourceDestCheck: i.sourceDestCheck,
    networkInterfaceSet: [
      {
        networkInterfaceId: eni,
        subnetId: i.subnetId,
        vpcId: i.vpcId,
        privateIpAddress: i.privateIp,
        sourceDestCheck: i.sourceDestCheck,
        privateIpAddressesSet: [i.privateIp, ...i.secondaryIps].map((ip, n) => ({ privateIpAddress: ip, primary: n === 0 })),
      },
    ],
  };
}

function tableXml(world: Ec2World, t: FakeRouteTable): XmlObject {
  const associations: XmlObject[] = [];
  if (t.main) associations.push({ routeTableAssociationId: `rtbassoc-${t.routeTableId.slice(4)}m`, routeTableId: t.routeTableId, main: true, associationState: { state: 'associated' } });
  for (const subnetId of t.subnetIds) {
    associations.push({ routeTableAssociationId: `rtbassoc-${subnetId.slice(7)}`, routeTableId: t.routeTableId, subnetId, main: false, associationState: { state: 'associated' } });
  }
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    ownerId: OWNER,
    routeSet: [...t.routes.values()].map((r) => ({
      destinationCidrBlock: r.destination,
      ...('instanceId' in r.target
        ? { instanceId: r.target.instanceId, instanceOwnerId: OWNER, networkInterfaceId: `eni-${r.target.instanceId.slice(2)}` }
        : { gatewayId: r.target.gatewayId }),
      state: world.routeState(r),
      origin: r.origin,
    })),
    associationSet: associations,
    propagatingVgwSet: [],
    tagSet: [],
  };
}

function target(params: QueryParams): RouteTarget {
  const instanceId = params.optional('InstanceId');
  if (instanceId) return { instanceId };
  const gatewayId = params.optional('GatewayId');
  if (gatewayId) return { gatewayId };
  throw new Ec2Error('MissingParameter', 'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId or instanceId');
}

const RETURN_TRUE: XmlObject = { return: true };

/** The EC2 actions the fake speaks; anything else is answered with EC2's InvalidAction. */
export const ACTIONS: Readonly<Record<string, Action>> = {
  DescribeInstances: (world, params) => {
    const ids = params.list('InstanceId');
    ids.forEach((id) => world.instance(id));
    const found = [...world.instances.values()].filter((i) => (ids.length === 0 || ids.includes(i.instanceId)) && matches(i, params.filters(), INSTANCE_FILTERS));
    // One reservation per instance, as instances launched one at a time have.
    return { reservationSet: found.map((i) => ({ reservationId: `r-${i.instanceId.slice(2)}`, ownerId: OWNER, groupSet: [], instancesSet: [instanceXml(i)] })) };
  },
  ModifyInstanceAttribute: (world, params) => {
    const instance = world.instance(params.required('InstanceId'));
    const value = params.optional('SourceDestCheck.Value');
    if (value !== undefined) instance.sourceDestCheck = value === 'true';
    return RETURN_TRUE;
  },
  DescribeRouteTables: (world, params) => {
    const ids = params.list('RouteTableId');
    ids.forEach((id) => world.table(id));
    const fields = tableFilters(world);
    const found = [...world.tables.values()].filter((t) => (ids.length === 0 || ids.includes(t.routeTableId)) && matches(t, params.filters(), fields));
    return { routeTableSet: found.map((t) => tableXml(world, t)) };
  },
  CreateRoute: (world, params) => {
    world.createRoute(params.required('RouteTableId'), params.required('DestinationCidrBlock'), target(params));
    return RETURN_TRUE;
  },
  DeleteRoute: (world, params) => {
    world.deleteRoute(params.required('RouteTableId'), params.required('DestinationCidrBlock'));
    return RETURN_TRUE;
  },
  ReplaceRoute: (world, params) => {
    world.replaceRoute(params.required('RouteTableId'), params.required('DestinationCidrBlock'), target(params));
    return RETURN_TRUE;
  },
};

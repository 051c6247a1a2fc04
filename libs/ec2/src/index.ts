export { EC2_ROUTES_PER_TABLE, Ec2CallError, ec2Call, ec2ErrorCode, ec2Failure, type Ec2Action, type Ec2CallInfo } from './ec2-call.js';
export { createEc2Client, type Ec2ClientOptions } from './ec2-client.js';
export { readInstanceIdentity, type InstanceIdentity } from './instance-identity.js';
export { disableSourceDestCheck } from './source-dest-check.js';
export { resolveRouteTables } from './route-tables.js';
export { ensureOwnRoute, routeTarget, type OwnRouteSpec } from './own-route.js';
export { Ec2RouteTable, type Ec2RouteTableOptions } from './ec2-route-table.js';

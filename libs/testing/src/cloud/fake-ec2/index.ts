export { startFakeEc2, type Ec2Ids, type Ec2RequestRecord, type FakeEc2, type StartFakeEc2Options } from './fake-ec2.js';
export { Ec2World, type FakeInstance, type FakeRoute, type FakeRouteTable, type RouteTarget } from './ec2-world.js';
export { Ec2Faults, type FaultScope } from './faults.js';
export { FakeImds, type ImdsIdentity } from './fake-imds.js';

export type { CloudRoute, CloudRouteTable } from './cloud-route-table.js';
export { OwnRouteKeeper, type EnsureOutcome, type KeeperContext, type KeeperState, type OwnRouteKeeperOptions } from './own-route-keeper.js';

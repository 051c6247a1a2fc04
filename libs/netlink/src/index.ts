export { listLinks, getLink, setLinkUp, setLinkDown, setLinkMtu, deleteLink, createVxlan } from './links.js';
export { listAddrs, addAddr, deleteAddr } from './addrs.js';
export { listRoutes, eachRoute, addRoute, replaceRoute, deleteRoute, getRouteTo } from './routes.js';
export { listNeighs, eachNeigh, replaceNeigh, deleteNeigh } from './neighs.js';
export { replaceInOrder, type KernelChange } from './batch.js';
export { subscribe } from './subscribe.js';
export { interruptedDumpRetries } from './counters.js';
export { isNetlinkError } from './errors.js';
export * from './constants.js';
export type {
  AddrInfo,
  LinkInfo,
  NeighFamily,
  NeighInfo,
  NeighKey,
  NeighSpec,
  NetlinkAction,
  NetlinkError,
  NetlinkEvent,
  NetlinkGroup,
  RouteInfo,
  RouteScope,
  RouteSpec,
  Subscription,
  VxlanInfo,
  VxlanSpec,
} from './types.js';

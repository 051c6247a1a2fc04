export { apiError, apiFailure, type ApiFailure } from './api-error.js';
export { COMPUTE_ENDPOINT_VARIABLE, computeEndpoint, type EndpointOptions } from './compute-endpoint.js';
export { connectInstance, type GceInstance } from './connect.js';
export { GceApi, type GceApiOptions, type GceRoute } from './gce-api.js';
export { GceRouteTable } from './gce-route-table.js';
export { readInstanceFacts, type InstanceFacts } from './metadata.js';
export { ensureOwnRoute, type OwnRouteTarget } from './own-route.js';
export { lastPathElement, managedRouteName, managedRoutePrefix, ownRouteName } from './route-names.js';

export { startHealthServer, HEALTHZ_BODY, type HealthServer, type HealthServerOptions, type HealthSource, type ReadyState } from './health-server.js';
export { FlannelMetrics, type FlannelMetricsOptions, type NetworkFigures } from './flannel-metrics.js';
export { BackendSamples } from './backend-samples.js';
export { EtcdReachability } from './etcd-reachability.js';

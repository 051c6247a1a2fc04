export { tempDir, type TempDir } from './temp-dir.js';
export { HANG_GUARD_MS, waitFor, type WaitForOptions } from './wait-for.js';
export { freePort, freePorts } from './free-port.js';
export { run, runChecked, type RunOptions, type RunResult } from './run.js';
export { pidExists, spawnChild, type ChildProcess, type ProcessExit, type SpawnOptions } from './child-process.js';
export { startEtcd, type EtcdServer, type StartEtcdOptions } from './etcd/etcd-server.js';
export { enableEtcdAuth, type EtcdAuthOptions } from './etcd/etcd-auth.js';
export { makeTestCa, type CertFiles, type IssueOptions, type TestCa } from './tls/test-ca.js';
export { etcdctlTxn, txnRequest, type EtcdTxnOp, type EtcdTxnResult } from './etcd/etcdctl-txn.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { createLab, type CreateLabOptions, type Lab, type LabHost, type LabProcess } from './lab/lab.js';
export { startLabEtcd } from './lab/lab-etcd.js';
export {
  startLabEtcdCluster,
  type LabEtcdCluster,
  type LabEtcdMember,
  type LabEtcdMemberState,
} from './lab/lab-etcd-cluster.js';
export { sweepLeftoverLabs, labOwnerDir, ownerFilePath } from './lab/owner.js';
export { makeLabPrefix } from './lab/names.js';
export { addPod, removePod, type AddPodOptions, type Pod } from './pods/pod.js';
export { startPing, pingOnce, pingAll, pingReplies, type PingRun, type StartPingOptions, type PingOnceOptions } from './ping/ping.js';
export type { PingStats } from './ping/ping-stats.js';
export { startIpMonitor, type IpMonitor, type StartIpMonitorOptions } from './ip-monitor/ip-monitor.js';
export type { IpMonitorEvent, IpMonitorObject } from './ip-monitor/ip-monitor-events.js';
export { iperf3Server, iperf3Client, IPERF3_DEFAULT_PORT, type Iperf3Server, type Iperf3ClientOptions } from './iperf3/iperf3.js';
export type { Iperf3Result } from './iperf3/iperf3-result.js';
export {
  ALLOC_CONFIG,
  assertBuilt,
  completeLines,
  CONFIG_KEY,
  envValue,
  FLANNELD,
  startFlanneld,
  type Daemon,
} from './flanneld/flanneld-daemon.js';
export { wireInit, wireLease, wireSamples, withField, type Wire } from './protocol/wire-samples.js';
export { killQuietly, processGone } from './pids.js';
export { assertAddonBuilt } from './addon-built.js';
export { forkWithIpc, type ForkWithIpcOptions, type IpcSubprocess } from './ipc-fork.js';
export { gatewayRoutes, leasesInEtcd, routeDifferences, type EtcdLease } from './flanneld/lease-routes.js';
export { guardLoopbackOnly, type LoopbackGuard } from './cloud/loopback-guard.js';
export { forwardIntoNamespace, type NsForwarder } from './cloud/ns-forwarder.js';
export * from './cloud/fake-ec2/index.js';
export { startFakeGce, type FakeGce, type FakeGceOptions, type FakeGceRequest, type FakeRoute } from './cloud/fake-gce/index.js';
export { startManagedCloud, type ManagedBackend, type ManagedCall, type ManagedCloud, type ManagedCloudOptions, type ManagedRoute } from './cloud/managed-cloud.js';
export { parseMetricsText, type MetricsText } from './prometheus/metrics-text.js';

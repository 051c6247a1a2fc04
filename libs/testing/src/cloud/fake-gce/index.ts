export { startFakeGce, type FakeGce, type FakeGceOptions, type FakeGceRequest } from './fake-gce.js';
export type { FakeRoute } from './compute-state.js';
export type { FailureRule, Faults } from './faults.js';

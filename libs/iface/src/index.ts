export type { InterfaceAddress, SnapshotInterface, SnapshotRoute, SystemSnapshot } from './snapshot.js';
export { readSystemSnapshot } from './system-snapshot.js';
export {
  NO_MATCHING_INTERFACE,
  selectExternalInterface,
  type ExternalInterface,
  type ExternalInterfaceOptions,
} from './select-external-interface.js';

// The Compute clients and Google's auth library weigh a lot: gce-api.ts imports this module
// dynamically, so `--help` never loads them (their own chunk in the bundles). Static namespace
// imports give the packages' named exports under every loader (Node, tsx, esbuild).
import * as routes from '@google-cloud/compute/build/src/v1/routes_client.js';
import * as networks from '@google-cloud/compute/build/src/v1/networks_client.js';
import * as instances from '@google-cloud/compute/build/src/v1/instances_client.js';
import * as operations from '@google-cloud/compute/build/src/v1/global_operations_client.js';
import * as googleAuth from 'google-auth-library';

export { googleAuth, instances, networks, operations, routes };

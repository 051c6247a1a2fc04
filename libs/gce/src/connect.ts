import { GceApi, type GceApiOptions } from './gce-api.js';
import { readInstanceFacts, type InstanceFacts } from './metadata.js';
import { COMPUTE_ENDPOINT_VARIABLE } from './compute-endpoint.js';

export interface GceInstance {
  readonly facts: InstanceFacts;
  readonly api: GceApi;
  readonly networkLink: string;
  readonly instanceLink: string;
}

/**
 * Everything a node needs to manage its route: the metadata server's facts, the Compute clients and
 * the selfLinks of its network and instance. Each step throws a RetryableError naming what failed.
 */
export async function connectInstance(o: Omit<GceApiOptions, 'project' | 'endpoint'> = {}, env = process.env): Promise<GceInstance> {
  // gcp-metadata remembers a failed probe of the metadata server for the life of the process; a
  // retry after an outage must probe again.
  (await import('./metadata-module.js')).gcpMetadata.resetIsAvailableCache();
  const facts = await readInstanceFacts();
  const api = await GceApi.open({ ...o, project: facts.project, endpoint: env[COMPUTE_ENDPOINT_VARIABLE] });
  try {
    const [networkLink, instanceLink] = await Promise.all([api.networkLink(facts.network), api.instanceLink(facts.zone, facts.instance)]);
    return { facts, api, networkLink, instanceLink };
  } catch (error) {
    api.close();
    throw error;
  }
}

import { RetryableError } from '@flannel-ts/retry';
import { lastPathElement } from './route-names.js';

/** What the metadata server says about the instance flannel runs on. */
export interface InstanceFacts {
  readonly project: string;
  readonly zone: string;
  /** The instance name: the hostname up to its first dot. */
  readonly instance: string;
  /** The GCE network of the first network interface. */
  readonly network: string;
}

/**
 * Reads the instance's facts from the metadata server (`Metadata-Flavor: Google`; GCE_METADATA_HOST
 * points elsewhere, as gcp-metadata honours it). A failure is a RetryableError naming the key.
 */
export async function readInstanceFacts(): Promise<InstanceFacts> {
  const metadata = (await import('./metadata-module.js')).gcpMetadata;
  const read = async (kind: 'project' | 'instance', key: string): Promise<string> => {
    try {
      const value: unknown = await metadata[kind](key);
      if (value === undefined || value === null || String(value).trim() === '') throw new Error('empty answer');
      return String(value).trim();
    } catch (error) {
      throw new RetryableError(`reading GCE metadata ${kind}/${key} from ${metadataBase()}: ${errorLine(error)}`);
    }
  };
  const [project, zone, hostname, network] = await Promise.all([
    read('project', 'project-id'),
    read('instance', 'zone'),
    read('instance', 'hostname'),
    read('instance', 'network-interfaces/0/network'),
  ]);
  return { project, zone: lastPathElement(zone), instance: hostname.split('.')[0]!, network: lastPathElement(network) };
}

function metadataBase(): string {
  return `http://${process.env['GCE_METADATA_IP'] || process.env['GCE_METADATA_HOST'] || '169.254.169.254'}/computeMetadata/v1`;
}

function errorLine(error: unknown): string {
  const e = error as { status?: number; response?: { status?: number }; code?: unknown; message?: string };
  const status = e?.response?.status ?? e?.status;
  const message = (e?.message ?? String(error)).split('\n')[0];
  return status !== undefined ? `HTTP ${status}: ${message}` : message ?? String(error);
}

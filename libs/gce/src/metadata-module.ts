// gcp-metadata, imported dynamically by metadata.ts and connect.ts (its own chunk in the bundles).
// A static namespace import gives its named exports under every loader (Node, tsx, esbuild).
import * as gcpMetadata from 'gcp-metadata';

export { gcpMetadata };

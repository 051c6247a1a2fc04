/** Printed by --version (kept equal to the root package.json version, as flanneld's). */
export const VERSION = '0.1.0';

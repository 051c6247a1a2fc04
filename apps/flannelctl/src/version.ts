/** The version printed by --version (kept equal to the root package.json version). */
export const VERSION = '0.1.0';

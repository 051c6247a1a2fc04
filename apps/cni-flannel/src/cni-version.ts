import { CniCode, CniError } from './cni-error.js';

export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'] as const;
export const LATEST_VERSION = '1.0.0';
/** What a config without `cniVersion` means (the spec's oldest version). */
export const IMPLIED_VERSION = '0.1.0';

/** The answer to CNI_COMMAND=VERSION. */
export function versionInfo(): string {
  return JSON.stringify({ cniVersion: LATEST_VERSION, supportedVersions: SUPPORTED_VERSIONS });
}

export function assertSupportedVersion(version: string): void {
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw new CniError(
      CniCode.incompatibleVersion,
      'incompatible CNI versions',
      `config is "${version}", plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`,
    );
  }
}

/** CHECK exists from CNI 0.4.0 on. */
export function assertVersionAllowsCheck(version: string): void {
  if (compareVersions(version, '0.4.0') < 0) {
    throw new CniError(CniCode.incompatibleVersion, 'config version does not allow CHECK', `config is "${version}"`);
  }
}

/** Compares dotted numeric versions ("0.3.1" < "0.4.0" < "1.0.0"). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

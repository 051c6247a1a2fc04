import type { MkDockerOptsOptions } from './options.js';

/** A mistake in the flannel env file that stops mk-docker-opts before it writes anything. */
export class InvalidFlannelEnv extends Error {}

/**
 * The Docker env file's text, as the original script writes it: `NAME="value"` lines for the
 * individual options in alphabetical order, then `KEY="<inherited> --bip=… --ip-masq=… --mtu=…"`.
 * Options whose flannel variable is unset or empty are left out. `inheritedCombined` is KEY's value
 * in the environment; when set it comes first, followed by a space (and each option's own leading
 * space, so two spaces), byte for byte as the original.
 */
export function formatDockerOpts(
  flannel: Readonly<Record<string, string>>,
  options: Pick<MkDockerOptsOptions, 'individual' | 'combined' | 'combinedKey' | 'ipMasq'>,
  inheritedCombined: string | undefined,
): string {
  const opts = dockerOptions(flannel, options.ipMasq);
  let text = '';
  if (options.individual) {
    for (const [name, value] of opts) text += `${name}="${value}"\n`;
  }
  if (options.combined) {
    const prefix = inheritedCombined ? `${inheritedCombined} ` : '';
    text += `${options.combinedKey}="${prefix}${opts.map(([, value]) => ` ${value}`).join('')}"\n`;
  }
  return text;
}

/** [variable name, Docker option] pairs, sorted by name. */
function dockerOptions(flannel: Readonly<Record<string, string>>, withIpMasq: boolean): Array<[string, string]> {
  const opts: Array<[string, string]> = [];
  const subnet = flannel['FLANNEL_SUBNET'];
  const mtu = flannel['FLANNEL_MTU'];
  const ipMasq = flannel['FLANNEL_IPMASQ'];
  if (subnet) opts.push(['DOCKER_OPT_BIP', `--bip=${subnet}`]);
  if (mtu) opts.push(['DOCKER_OPT_MTU', `--mtu=${mtu}`]);
  if (ipMasq && withIpMasq) opts.push(['DOCKER_OPT_IPMASQ', `--ip-masq=${dockerIpMasq(ipMasq)}`]);
  return opts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** When flannel masquerades, Docker must not, and the other way round. */
function dockerIpMasq(flannelIpMasq: string): boolean {
  if (flannelIpMasq === 'true') return false;
  if (flannelIpMasq === 'false') return true;
  throw new InvalidFlannelEnv(`Invalid value of FLANNEL_IPMASQ: ${flannelIpMasq} (expected true or false)`);
}

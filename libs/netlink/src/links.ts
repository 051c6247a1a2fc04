import { inContext, isNetlinkError, withContext } from './errors.js';
import { nameOfLink } from './describe.js';
import { netlinkNative } from './load-native.js';
import type { LinkInfo, VxlanSpec } from './types.js';
import { ipv4, linkIndex, linkName, mac, optionalBoolean, uint } from './validate.js';

export function listLinks(): LinkInfo[] {
  return withContext(() => 'listing links', () => netlinkNative().listLinks());
}

/** The link with this name or index; undefined when there is none. */
export function getLink(nameOrIndex: string | number): LinkInfo | undefined {
  const byName = typeof nameOrIndex === 'string';
  const index = byName ? 0 : linkIndex(nameOrIndex, 'link index');
  const name = byName ? linkName(nameOrIndex, 'link name') : '';
  try {
    return netlinkNative().getLink(index, name);
  } catch (error) {
    if (isNetlinkError(error, 'ENODEV')) return undefined;
    throw inContext(`getting link ${byName ? name : `#${index}`}`, error);
  }
}

export function setLinkUp(index: number): void {
  linkIndex(index, 'link index');
  withContext(() => `setting link ${nameOfLink(index)} up`, () => netlinkNative().setLink(index, true, 0));
}

export function setLinkDown(index: number): void {
  linkIndex(index, 'link index');
  withContext(() => `setting link ${nameOfLink(index)} down`, () => netlinkNative().setLink(index, false, 0));
}

export function setLinkMtu(index: number, mtu: number): void {
  linkIndex(index, 'link index');
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 0xffff) {
    throw new TypeError(`netlink: mtu must be an integer from 68 to 65535, got ${String(mtu)}`);
  }
  withContext(() => `setting the MTU of link ${nameOfLink(index)} to ${mtu}`, () => netlinkNative().setLink(index, null, mtu));
}

export function deleteLink(index: number): void {
  linkIndex(index, 'link index');
  withContext(() => `deleting link ${nameOfLink(index)}`, () => netlinkNative().deleteLink(index));
}

/**
 * Creates a vxlan link (EEXIST when the name is taken) and returns it as the kernel reports it,
 * with its MAC and MTU. It is created down: call setLinkUp when ready.
 */
export function createVxlan(spec: VxlanSpec): LinkInfo {
  const name = linkName(spec.name, 'vxlan name');
  const raw = {
    name,
    vni: uint(spec.vni, 'vni', 0xffffff),
    local: spec.local === undefined ? '' : ipv4(spec.local, 'local'),
    vtepIndex: spec.vtepIndex === undefined ? 0 : linkIndex(spec.vtepIndex, 'vtepIndex'),
    port: spec.port === undefined ? 0 : uint(spec.port, 'port', 0xffff),
    learning: optionalBoolean(spec.learning, 'learning', false),
    gbp: optionalBoolean(spec.gbp, 'gbp', false),
    mac: spec.mac === undefined ? '' : mac(spec.mac, 'mac'),
    mtu: spec.mtu === undefined ? 0 : uint(spec.mtu, 'mtu', 0xffff),
  };
  const what = (): string => `creating vxlan link ${name} (vni ${raw.vni})`;
  withContext(what, () => netlinkNative().createVxlan(raw));
  return withContext(what, () => netlinkNative().getLink(0, name));
}

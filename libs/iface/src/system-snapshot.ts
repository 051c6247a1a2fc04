import { readdir, readFile } from 'node:fs/promises';
import { endianness, networkInterfaces } from 'node:os';
import { attachAddresses, type LinkInfo } from './attach-addresses.js';
import { parseProcNetRoute } from './proc-net-route.js';
import type { SystemSnapshot } from './snapshot.js';

const SYS_CLASS_NET = '/sys/class/net';
const PROC_NET_ROUTE = '/proc/net/route';

/**
 * Reads interfaces, their IPv4 addresses and the IPv4 main routing table of the calling process's
 * network namespace. Addresses come from os.networkInterfaces(), which (libuv) leaves out interfaces
 * that are not both up and running: such an interface is listed with no addresses.
 */
export async function readSystemSnapshot(): Promise<SystemSnapshot> {
  const [links, routeText] = await Promise.all([readLinks(), readFile(PROC_NET_ROUTE, 'utf8')]);
  return {
    interfaces: attachAddresses(links, networkInterfaces()),
    routes: parseProcNetRoute(routeText, endianness()),
  };
}

async function readLinks(): Promise<LinkInfo[]> {
  const names = await readdir(SYS_CLASS_NET);
  const links = await Promise.all(names.map(readLink));
  return links.filter((link): link is LinkInfo => link !== undefined);
}

/** Undefined when the device disappeared between listing and reading. */
async function readLink(name: string): Promise<LinkInfo | undefined> {
  try {
    const [index, mtu] = await Promise.all([
      readIntegerFile(`${SYS_CLASS_NET}/${name}/ifindex`),
      readIntegerFile(`${SYS_CLASS_NET}/${name}/mtu`),
    ]);
    return { name, index, mtu };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readIntegerFile(path: string): Promise<number> {
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^\d+$/.test(text)) throw new Error(`${path}: expected an integer, got "${text}"`);
  return Number(text);
}

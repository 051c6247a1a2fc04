import type { JsonObject } from '@flannel-ts/config';
import { formatIP4Net, tryParseIP4, tryParseIP4Net, type IP4, type IP4Net } from '@flannel-ts/ip';
import { isJsonObject } from '@flannel-ts/backend-protocol';

export interface PeerSpec {
  readonly subnet: IP4Net;
  readonly publicIp: IP4;
  readonly backendData?: JsonObject;
}

/** `SUBNET=PUBLICIP[,BACKENDDATA-JSON]`, e.g. `10.244.2.0/24=192.0.2.12,{"VtepMAC":"5a:1f:0c:2e:33:9b"}`. */
export function parsePeerSpec(text: string): PeerSpec {
  const equals = text.indexOf('=');
  if (equals < 0) throw new Error('expected SUBNET=PUBLICIP[,BACKENDDATA-JSON]');
  const subnetText = text.slice(0, equals);
  const rest = text.slice(equals + 1);
  const comma = rest.indexOf(',');
  const ipText = comma < 0 ? rest : rest.slice(0, comma);

  const subnet = tryParseIP4Net(subnetText);
  if (subnet === undefined || formatIP4Net(subnet) !== subnetText) {
    throw new Error(`${JSON.stringify(subnetText)} is not an IPv4 prefix with its host bits clear`);
  }
  const publicIp = tryParseIP4(ipText);
  if (publicIp === undefined) throw new Error(`${JSON.stringify(ipText)} is not an IPv4 address`);
  if (comma < 0) return { subnet, publicIp };

  let backendData: unknown;
  try {
    backendData = JSON.parse(rest.slice(comma + 1));
  } catch (error) {
    throw new Error(`BackendData is not JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(backendData)) throw new Error('BackendData must be a JSON object');
  return { subnet, publicIp, backendData };
}

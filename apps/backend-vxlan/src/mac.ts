const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

/** `"5A:1F:0C:2E:33:9B"` → `"5a:1f:0c:2e:33:9b"` (Go's HardwareAddr.String() form); undefined when not a MAC. */
export function normaliseMac(text: unknown): string | undefined {
  return typeof text === 'string' && MAC.test(text) ? text.toLowerCase() : undefined;
}

/** A unicast MAC that is not all zeros (the vxlan "default destination" entry uses 00:00:00:00:00:00). */
export function isUnicastMac(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 0x01) === 0 && mac !== '00:00:00:00:00:00';
}

/** A random unicast, locally administered MAC, as Go flanneld v0.20 makes its VtepMAC. */
export function randomLocalMac(bytes: Uint8Array): string {
  if (bytes.length !== 6) throw new Error(`a MAC needs 6 random bytes, got ${bytes.length}`);
  const octets = [...bytes];
  octets[0] = (octets[0]! & 0xfe) | 0x02;
  return octets.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

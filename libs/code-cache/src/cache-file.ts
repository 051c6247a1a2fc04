import { crc32 } from 'node:zlib';

/**
 * A code cache file: a magic, the CRC-32 of V8's data, the data. V8 checks a cache's version, flags
 * and length but not its bytes (a release build verifies no checksum): a cache corrupted on disk
 * would crash the process at every start. A file whose checksum fails is never handed to V8.
 */
const MAGIC = Buffer.from('FTC1', 'latin1');
const HEADER_BYTES = MAGIC.length + 4;

/** The file's bytes: the header, then `data` itself (not copied). */
export function encodeCacheFile(data: Uint8Array): [Buffer, Uint8Array] {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeUInt32LE(crc32(data), MAGIC.length);
  return [header, data];
}

/** V8's data in `file`, or undefined when it is not a code cache file or its checksum fails. */
export function decodeCacheFile(file: Buffer): Buffer | undefined {
  if (file.length <= HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const data = file.subarray(HEADER_BYTES);
  return crc32(data) === file.readUInt32LE(MAGIC.length) ? data : undefined;
}

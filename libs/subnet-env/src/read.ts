import { readFile } from 'node:fs/promises';
import { parseSubnetEnv } from './parse.js';

/** Reads and parses an env file; undefined when it does not exist. Other errors name the path. */
export async function readSubnetEnv(path: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`reading subnet file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseSubnetEnv(text);
}

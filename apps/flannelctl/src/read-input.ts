import { readFile } from 'node:fs/promises';
import { text as readStream } from 'node:stream/consumers';
import { ExitError } from '@flannel-ts/cli';

/** The text of FILE, or of standard input for `-`. */
export async function readInput(file: string, stdin: NodeJS.ReadableStream): Promise<string> {
  try {
    return file === '-' ? await readStream(stdin) : await readFile(file, 'utf8');
  } catch (err) {
    const what = file === '-' ? 'standard input' : file;
    throw new ExitError(`reading ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1, { cause: err });
  }
}

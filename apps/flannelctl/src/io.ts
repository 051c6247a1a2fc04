/** Where a command's output goes; the tests give their own. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: NodeJS.ReadableStream;
}

/** The result of a command: its exit status (0 ok, 1 failure, 3 config problems). */
export type ExitCode = 0 | 1 | 3;

export const EXIT_PROBLEMS = 3;

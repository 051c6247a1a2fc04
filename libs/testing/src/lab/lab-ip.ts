import type { Lab } from './lab.js';

/** Runs ip commands (one per line, as `ip -batch` takes them) inside a lab namespace; throws naming the failing line. */
export async function labIp(lab: Lab, ns: string, commands: readonly string[]): Promise<void> {
  const result = await lab.exec(ns, ['ip', '-batch', '-'], { input: `${commands.join('\n')}\n` });
  if (result.exitCode !== 0) {
    const why = result.stderr.trim() || `exit ${result.exitCode ?? 'by signal'}`;
    throw new Error(`ip in ${ns} failed (${why}) running: ${commands.join('; ')}`);
  }
}

/** Deletes a link inside a lab namespace; one that does not exist is fine. */
export async function deleteLinkIfPresent(lab: Lab, ns: string, link: string): Promise<void> {
  if (!(await linkExists(lab, ns, link))) return;
  await labIp(lab, ns, [`link del ${link}`]);
}

export async function linkExists(lab: Lab, ns: string, link: string): Promise<boolean> {
  const result = await lab.exec(ns, ['ip', 'link', 'show', 'dev', link]);
  return result.exitCode === 0;
}

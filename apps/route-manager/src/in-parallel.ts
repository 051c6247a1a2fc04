/**
 * Runs `job` for every item, at most `limit` at a time, and waits for all of them: a failure does
 * not abandon jobs already running, whose effects the caller records. Rejects with the first
 * error once all have settled (a bug before a failure of the world, so it is never hidden behind a
 * retry), naming how many failed.
 */
export async function inParallel<T>(items: readonly T[], limit: number, job: (item: T) => Promise<void>, isBug: (error: unknown) => boolean): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await job(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length === 0) return;
  const first = errors.find(isBug) ?? errors[0];
  if (errors.length === 1) throw first;
  throw new Error(`${errors.length} of ${items.length} route operations failed, one`, { cause: first });
}

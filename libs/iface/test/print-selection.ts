// Run inside a network namespace by netns-selection.test.ts: prints this namespace's snapshot and
// the selection for each option set given as a JSON array in argv[2], as one JSON document.
import { readSystemSnapshot, selectExternalInterface, type ExternalInterfaceOptions } from '../src/index.js';

async function main(): Promise<void> {
  const optionSets = JSON.parse(process.argv[2] ?? '[]') as ExternalInterfaceOptions[];
  const snapshot = await readSystemSnapshot();
  const selections = optionSets.map((opts) => {
    try {
      return { ok: selectExternalInterface(snapshot, opts) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
  process.stdout.write(`${JSON.stringify({ snapshot, selections })}\n`);
}

await main();

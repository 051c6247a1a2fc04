import { runFlannelctl } from './run-flannelctl.js';

process.exitCode = await runFlannelctl(process.argv.slice(2), process.env, process);

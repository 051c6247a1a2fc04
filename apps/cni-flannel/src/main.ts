import { runCniPlugin } from './run-plugin.js';

process.exitCode = await runCniPlugin(process.env);

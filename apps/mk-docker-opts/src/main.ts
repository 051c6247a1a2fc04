import { runMkDockerOpts } from './run-mk-docker-opts.js';

process.exitCode = await runMkDockerOpts(process.argv.slice(2), process.env);

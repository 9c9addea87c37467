import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`harness-loop: ${String(error)}\n`);
    process.exitCode = 2;
  },
);

import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { renderCodexOtelConfig, startReceiver, type Receiver } from '../receive/server.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { waitForStopSignal } from '../util/signals.js';

function readWholeNumber(flags: Record<string, unknown>, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = flags[name] as number;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${value})`);
  return value;
}

/** `harness-loop receive`: runs the OTLP/HTTP receiver until SIGINT or SIGTERM, then writes everything accepted. */
export async function run(args: CommandArgs): Promise<number> {
  const { flags } = args;
  const port = readWholeNumber(flags, 'port', 0, 65535);
  const maxBodyBytes = readWholeNumber(flags, 'max-body', 1);
  const idleMs = readWholeNumber(flags, 'idle-ms', 0);
  const host = String(flags.host ?? '127.0.0.1');
  const paths = workspacePaths(args.workspace);
  const config = await readConfig(paths.config);

  let receiver: Receiver;
  try {
    receiver = await startReceiver({ workspace: paths.root, config, port, host, maxBodyBytes, idleMs, log: (line) => process.stderr.write(`${line}\n`) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot listen on ${host}:${port}: ${why} (pick another --port, or --port 0 for any free one)`, 'receive.listen');
  }

  process.stderr.write(
    `harness-loop receive: listening on ${receiver.url}\n` +
      `Point Codex at it: paste this into ~/.codex/config.toml (or the repo's .codex/config.toml):\n\n` +
      `${renderCodexOtelConfig(receiver.url)}\n\n` +
      `Traces are written to ${paths.traceStore} after ${idleMs} ms without new records, and on Ctrl-C.\n`,
  );

  const signal = await waitForStopSignal();
  process.stderr.write(`harness-loop receive: ${signal}: writing what was received…\n`);
  const summary = await receiver.close();
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  const rejected = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
  process.stderr.write(
    `harness-loop receive: ${summary.requests} request(s) (${rejected} rejected), ${summary.logRecords} log record(s), ` +
      `${summary.spans} span(s) → ${summary.traces} trace(s) written in ${summary.writes} write(s)\n`,
  );
  return 0;
}

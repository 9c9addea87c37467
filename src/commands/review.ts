import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { ReviewDataSource } from '../review/data.js';
import { startReviewServer } from '../review/server.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { waitForStopSignal } from '../util/signals.js';

function reviewerName(): string {
  try {
    return process.env.USER || userInfo().username || 'human';
  } catch {
    return 'human';
  }
}

/** Opens the URL in the desktop browser; failure only warns (the URL is printed anyway). */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`harness-loop review: could not start ${cmd}; open the URL yourself\n`));
  child.unref();
}

/** `harness-loop review`: serves the review app until SIGINT or SIGTERM; prints its URL on stdout. */
export async function run(args: CommandArgs): Promise<number> {
  const port = args.flags.port as number;
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535 (got ${port})`);
  const host = String(args.flags.host ?? '127.0.0.1');
  const paths = workspacePaths(args.workspace);
  const config = await readConfig(paths.config);
  const data = new ReviewDataSource(paths.root);
  // Read once up front so a broken store is reported before a URL is printed.
  const initial = await data.get();
  let server;
  try {
    server = await startReviewServer({
      context: { workspace: paths.root, config, data, reviewer: reviewerName() },
      host,
      port,
      log: (l) => process.stderr.write(`${l}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot listen on ${host}:${port}: ${why} (pick another --port, or --port 0 for any free one)`, 'review.listen');
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
  else process.stdout.write(`${server.url}\n`);
  const pending = initial.queue.filter((i) => i.status === 'pending').length;
  process.stderr.write(
    `harness-loop review: ${initial.traces.size} trace(s), ${pending} waiting for review; open the URL above (it carries this run's token).\n` +
      `Press Ctrl-C to stop.\n`,
  );
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
    process.stderr.write(`harness-loop review: warning: bound to ${host}, not loopback; anyone who can reach it and has the token can write feedback\n`);
  if (args.flags.open === true) openBrowser(server.url);

  const signal = await waitForStopSignal();
  await server.close();
  process.stderr.write(`harness-loop review: ${signal}: stopped\n`);
  return 0;
}

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandArgs } from '../cli.js';
import { install, uninstall, type InstallOptions } from '../install/install.js';

declare const HARNESS_LOOP_VERSION: string;

function optionsFrom(args: CommandArgs): InstallOptions {
  return {
    target: (args.flags.target as string | undefined) ?? args.workspace,
    user: args.flags.user === true,
    trust: args.flags.trust === true,
    codexHome: process.env.CODEX_HOME || join(homedir(), '.codex'),
  };
}

export async function run(args: CommandArgs): Promise<number> {
  const result = await install(optionsFrom(args), typeof HARNESS_LOOP_VERSION === 'string' ? HARNESS_LOOP_VERSION : '0.0.0-dev');
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  if (result.changed.length === 0) process.stdout.write(`harness-loop is already installed in ${result.root}; nothing changed\n`);
  else {
    process.stdout.write(`installed into ${result.root}:\n`);
    for (const f of result.changed) process.stdout.write(`  wrote ${f}\n`);
  }
  for (const step of result.nextSteps) process.stdout.write(`next: ${step}\n`);
  return 0;
}

export async function runUninstall(args: CommandArgs): Promise<number> {
  const result = await uninstall(optionsFrom(args));
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`uninstalled from ${result.root}: ${result.removed.length} file(s) removed\n`);
  for (const k of result.kept) process.stderr.write(`kept ${k.file}: ${k.reason}\n`);
  return 0;
}

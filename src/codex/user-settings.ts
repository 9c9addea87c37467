// What a live run takes over from the user's own Codex home: how to reach the model (provider,
// model, login), nothing that shapes the agent's behaviour. The run then sees the project's harness
// on top of the user's access settings, as a real session of that user would, while the user's
// personal hooks, MCP servers, instructions and effort stay out: they are not the project's harness,
// and two teammates measuring the same change should measure the same thing.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { InputError } from '../errors.js';
import { parseToml } from '../install/toml-edit.js';
import { readTextIfExists } from '../util/files.js';

/**
 * Top-level config.toml keys carried over. `model_providers` holds custom endpoints (and their
 * `env_key`, whose value comes from the inherited environment); the login keys decide which
 * credentials Codex reads from the copied auth.json.
 */
export const CARRIED_KEYS = [
  'model',
  'model_provider',
  'model_providers',
  'openai_base_url',
  'chatgpt_base_url',
  'forced_login_method',
  'forced_chatgpt_workspace_id',
  'cli_auth_credentials_store',
] as const;

/**
 * Keys of the user's selected profile (`profile = "…"`) folded into the top level. Profiles as a
 * whole are not carried: Codex applies a profile over the project's config.toml, so a profile's
 * reasoning effort or sandbox would hide the project's.
 */
export const PROFILE_KEYS = ['model', 'model_provider'] as const;

/** Files copied from the user's Codex home (copied, never linked: Codex may rewrite them). */
export const CARRIED_FILES = ['auth.json'] as const;

/** The user's settings a live run carries. */
export interface CarriedSettings {
  /** config.toml text with only the carried keys ('' when none). */
  toml: string;
  /** Keys present in `toml`, for the run record. */
  keys: string[];
  /** Absolute paths of the user's files to copy into the run's home. */
  files: string[];
}

/** Picks the carried keys from a parsed user config (pure). */
export function pickCarriedSettings(config: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of CARRIED_KEYS) if (config[key] !== undefined) picked[key] = config[key];
  const name = config.profile;
  const profiles = config.profiles as Record<string, Record<string, unknown> | undefined> | undefined;
  const profile = typeof name === 'string' ? profiles?.[name] : undefined;
  if (profile && typeof profile === 'object') for (const key of PROFILE_KEYS) if (profile[key] !== undefined) picked[key] = profile[key];
  return picked;
}

/** Reads `<userCodexHome>/config.toml` (absent is fine) and lists the files to copy. Never writes. */
export async function readCarriedSettings(userCodexHome: string): Promise<CarriedSettings> {
  const configFile = join(userCodexHome, 'config.toml');
  const text = await readTextIfExists(configFile);
  let config: Record<string, unknown> = {};
  if (text !== null) {
    try {
      config = parseToml(text);
    } catch (error) {
      const line = (error as { line?: number }).line;
      throw new InputError(`cannot read your Codex config: ${(error as Error).message.split('\n')[0]}`, configFile, line, 'config.invalid', { cause: error });
    }
  }
  const picked = pickCarriedSettings(config);
  const files: string[] = [];
  for (const name of CARRIED_FILES) {
    const file = join(userCodexHome, name);
    if ((await stat(file).catch(() => null))?.isFile()) files.push(file);
  }
  return { toml: Object.keys(picked).length > 0 ? stringify(picked) : '', keys: Object.keys(picked).sort(), files };
}

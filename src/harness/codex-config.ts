// The behaviour-bearing keys of a Codex config.toml, each with its line. Pure.
import { parse } from 'smol-toml';
import type { CodexConfigFile, ConfigSetting, McpServer } from '../schema/harness.js';
import { tomlKeyLine } from './toml-lines.js';

/** Keys that change what the agent can do or how hard it thinks. */
export const BEHAVIOUR_KEYS = [
  'model',
  'model_reasoning_effort',
  'model_provider',
  'sandbox_mode',
  'sandbox_workspace_write.network_access',
  'approval_policy',
  'model_auto_compact_token_limit',
] as const;

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

function get(table: Table, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (isTable(v) ? v[k] : undefined), table);
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Reads one config.toml; throws the TOML parser's error (with its line) on bad syntax. */
export function parseCodexConfig(text: string, where: { file: string; scope: CodexConfigFile['scope']; editable: boolean }): CodexConfigFile {
  const doc = parse(text) as Table;
  const settings: ConfigSetting[] = [];
  const collect = (table: Table, prefix: string[], profile: string | null) => {
    for (const key of BEHAVIOUR_KEYS) {
      const value = get(table, key);
      if (value === undefined || isTable(value)) continue;
      settings.push({ key, value: show(value), profile, file: where.file, line: tomlKeyLine(text, [...prefix, ...key.split('.')]), editable: where.editable });
    }
  };
  collect(doc, [], null);
  const profiles = isTable(doc.profiles) ? doc.profiles : {};
  for (const [name, table] of Object.entries(profiles)) if (isTable(table)) collect(table, ['profiles', name], name);
  const servers: McpServer[] = [];
  for (const [name, raw] of Object.entries(isTable(doc.mcp_servers) ? doc.mcp_servers : {})) {
    if (!isTable(raw)) continue;
    servers.push({
      name,
      command: typeof raw.command === 'string' ? raw.command : null,
      args: Array.isArray(raw.args) ? raw.args.map(String) : [],
      url: typeof raw.url === 'string' ? raw.url : null,
      envKeys: [...Object.keys(isTable(raw.env) ? raw.env : {}), ...(Array.isArray(raw.env_vars) ? raw.env_vars.map(String) : [])].sort(),
      startupTimeoutSec: typeof raw.startup_timeout_sec === 'number' ? raw.startup_timeout_sec : null,
      file: where.file,
      line: tomlKeyLine(text, ['mcp_servers', name]),
      editable: where.editable,
    });
  }
  const features: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(isTable(doc.features) ? doc.features : {})) if (typeof v === 'boolean') features[k] = v;
  return { file: where.file, scope: where.scope, editable: where.editable, settings, profiles: Object.keys(profiles).sort(), mcpServers: servers, features };
}

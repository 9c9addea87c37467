import { z } from 'zod';

/** Bumped when `harness --json` output can no longer be read by the previous reader. */
export const HARNESS_MODEL_SCHEMA_VERSION = 1 as const;

/** Who a component belongs to: the team's harness, or harness-loop's own bundle (never a remedy target). */
export const OwnerSchema = z
  .enum(['team', 'harness-loop'])
  .describe("team: the repository's harness; harness-loop: installed by harness-loop, never the target of a remedy.");
export type Owner = z.infer<typeof OwnerSchema>;

/** Where a component came from: the repository or the user's $CODEX_HOME. */
export const ScopeSchema = z
  .enum(['repo', 'user', 'system'])
  .describe("repo: inside the repository; user: $CODEX_HOME or ~/.agents; system: Codex's built-in skills.");

const common = {
  file: z.string().min(1).describe('Repository-relative path, or an absolute path outside the repository (user scope).'),
  line: z.number().int().positive().describe('1-based line of the component in its file.'),
  owner: OwnerSchema,
  editable: z.boolean().describe("Whether a harness change may edit it: in the repository, inside the edit guard's allow-list, and not harness-loop's own."),
};

export const AgentsRuleSchema = z
  .object({ text: z.string().min(1).describe('The rule as written, list marker removed.'), line: common.line, owner: OwnerSchema })
  .describe('One instruction line of an AGENTS.md file.');
export type AgentsRule = z.infer<typeof AgentsRuleSchema>;

export const AgentsFileSchema = z
  .object({
    file: common.file,
    scope: ScopeSchema,
    kind: z.enum(['agents', 'override']).describe('AGENTS.md or AGENTS.override.md.'),
    directory: z.string().describe('Repository-relative folder the file applies to ("." for the root); "~" for the global one.'),
    owner: OwnerSchema,
    editable: common.editable,
    rules: z.array(AgentsRuleSchema),
  })
  .describe('An AGENTS.md on the path Codex reads.');
export type AgentsFile = z.infer<typeof AgentsFileSchema>;

export const SkillSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().describe('The frontmatter description: all the model sees before it opens the skill.'),
    descriptionLine: common.line,
    scope: ScopeSchema,
    file: common.file,
    bodyChars: z.number().int().nonnegative().describe('Characters after the frontmatter.'),
    bodyLines: z.number().int().nonnegative(),
    bodyStartLine: common.line,
    owner: OwnerSchema,
    editable: common.editable,
    rules: z.array(AgentsRuleSchema).describe('Instruction lines of the body, with their lines in the file.'),
  })
  .describe('A SKILL.md Codex lists to the model.');
export type Skill = z.infer<typeof SkillSchema>;

export const HookEntrySchema = z
  .object({
    file: common.file,
    line: common.line,
    event: z.string().min(1).describe('PreToolUse, PostToolUse, Stop, …'),
    matcher: z.string().nullable(),
    command: z.string(),
    timeout: z.number().nullable().describe("Seconds; null means Codex's default (600)."),
    owner: OwnerSchema,
    editable: common.editable,
  })
  .describe('One hook handler from a hooks.json.');
export type HookEntry = z.infer<typeof HookEntrySchema>;

export const ConfigSettingSchema = z
  .object({
    key: z.string().min(1).describe('TOML key path, e.g. model_reasoning_effort or sandbox_workspace_write.network_access.'),
    value: z.string().describe('The value as TOML would print it.'),
    profile: z.string().nullable().describe('Profile name when set under [profiles.NAME]; null at top level.'),
    file: common.file,
    line: common.line,
    editable: common.editable,
  })
  .describe('One Codex setting that bears on behaviour.');
export type ConfigSetting = z.infer<typeof ConfigSettingSchema>;

export const McpServerSchema = z
  .object({
    name: z.string().min(1),
    command: z.string().nullable(),
    args: z.array(z.string()),
    url: z.string().nullable(),
    envKeys: z.array(z.string()).describe('Names of the environment variables it is given (values are never shown).'),
    startupTimeoutSec: z.number().nullable(),
    file: common.file,
    line: common.line,
    editable: common.editable,
  })
  .describe('An [mcp_servers.NAME] table.');
export type McpServer = z.infer<typeof McpServerSchema>;

export const CodexConfigFileSchema = z
  .object({
    file: common.file,
    scope: ScopeSchema,
    editable: common.editable,
    settings: z.array(ConfigSettingSchema),
    profiles: z.array(z.string()),
    mcpServers: z.array(McpServerSchema),
    features: z.record(z.string(), z.boolean()),
  })
  .describe('A config.toml Codex reads.');
export type CodexConfigFile = z.infer<typeof CodexConfigFileSchema>;

export const OutputSchemaFileSchema = z
  .object({ file: common.file, required: z.array(z.string()).describe('Top-level required properties.'), owner: OwnerSchema, editable: common.editable })
  .describe('A JSON Schema an answer can be checked against (`codex exec --output-schema`).');
export type OutputSchemaFile = z.infer<typeof OutputSchemaFileSchema>;

export const ValidationScriptSchema = z
  .object({
    kind: z.enum(['package-script', 'pre-commit', 'ci-workflow']),
    name: z.string().min(1),
    command: z.string(),
    file: common.file,
    line: common.line,
    owner: OwnerSchema,
    editable: common.editable,
  })
  .describe('A check that runs outside the model: an npm script, a pre-commit hook, a CI step.');
export type ValidationScript = z.infer<typeof ValidationScriptSchema>;

export const EvidenceCheckSchema = z
  .object({
    file: z.string(),
    line: z.number().int().positive().nullable().describe('Line of the `evidence:` key, null when the defaults apply.'),
    outputGlobs: z.array(z.string()),
    sourceRoots: z.array(z.string()),
    minCoverage: z.number(),
    hookInstalled: z.boolean().describe('Whether hooks.json runs check_evidence_coverage.'),
  })
  .describe("Settings of harness-loop's check_evidence_coverage hook, which the team configures for its own answers.");

export const HarnessModelSchema = z
  .object({
    schemaVersion: z.literal(HARNESS_MODEL_SCHEMA_VERSION),
    root: z.string().describe('Repository root (absolute).'),
    codexHome: z.string().nullable().describe('$CODEX_HOME read for the user layer, when it exists.'),
    agentsMd: z.array(AgentsFileSchema),
    skills: z.array(SkillSchema),
    hooks: z.array(HookEntrySchema),
    config: z.array(CodexConfigFileSchema),
    outputSchemas: z.array(OutputSchemaFileSchema),
    validation: z.array(ValidationScriptSchema),
    evidenceCheck: EvidenceCheckSchema,
    problems: z.array(z.string()).describe('Files that could not be read, as `file: reason`.'),
  })
  .describe('Every harness component of a repository and of $CODEX_HOME, with file and line (`harness-loop harness --json`).');
export type HarnessModel = z.infer<typeof HarnessModelSchema>;

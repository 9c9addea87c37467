// Reads what Codex sent the mock model: the prompt, the AGENTS.md text and `$skill` injections.
// The mock decides from these, which is how a harness change changes the model's behaviour.
type Item = Record<string, unknown>;

/** The text parts of every user message, in order. */
function userTexts(input: readonly Item[]): string[] {
  return input
    .filter((i) => i.type === 'message' && i.role === 'user' && Array.isArray(i.content))
    .map((i) => (i.content as { text?: unknown }[]).map((c) => (typeof c.text === 'string' ? c.text : '')).join('\n'));
}

const INJECTED = /^(# AGENTS\.md instructions|<environment_context>|<skill>|<user_instructions>)/;

/** The user's prompt: the last user message that is not injected context. */
export function promptOf(input: readonly Item[]): string {
  return (
    userTexts(input)
      .filter((t) => !INJECTED.test(t))
      .at(-1) ?? ''
  );
}

/** The AGENTS.md text Codex sent (between <INSTRUCTIONS> tags), or '' when there was none. */
export function agentsMdOf(input: readonly Item[]): string {
  const block = userTexts(input).find((t) => t.startsWith('# AGENTS.md instructions'));
  return /<INSTRUCTIONS>\n([\s\S]*?)\n?<\/INSTRUCTIONS>/.exec(block ?? '')?.[1] ?? '';
}

/** The `<skill>` messages a `$skill-name` mention injected. */
export function skillInjectionsOf(input: readonly Item[]): string[] {
  return userTexts(input).filter((t) => t.startsWith('<skill>'));
}

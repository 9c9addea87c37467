/** The marked block install adds to AGENTS.md; everything outside the markers is the user's. */
export const BLOCK_BEGIN = '<!-- harness-loop:begin (managed by harness-loop install; edits inside are replaced) -->';
export const BLOCK_END = '<!-- harness-loop:end -->';

export function renderAgentsBlock(cli: string): string {
  return [
    BLOCK_BEGIN,
    '## Harness improvement loop',
    '',
    `This repository runs harness-loop. To improve the Codex harness, use the \`$harness-improvement\` skill; from the repository root the CLI is \`${cli}\`.`,
    '- During an improvement cycle (`.harness-loop/cycle.json` exists) change only harness artefacts: AGENTS.md, `.agents/skills/**`, `.codex/**` (not `.codex/harness-loop/**`), hooks. The eval suite, loop state and the guard are out of reach; the edit guard blocks other writes.',
    `- Implement exactly one recommendation per cycle, then run \`${cli} verify --provider codex\`; commit as \`harness: <change>\` only when its verdict is \`improved\`.`,
    BLOCK_END,
  ].join('\n');
}

/** Inserts or replaces the block; returns the text unchanged when it is already current. */
export function upsertAgentsBlock(text: string, block: string): string {
  const start = text.indexOf(BLOCK_BEGIN);
  const end = text.indexOf(BLOCK_END);
  if (start !== -1 && end > start) return `${text.slice(0, start)}${block}${text.slice(end + BLOCK_END.length)}`;
  if (text.trim() === '') return `${block}\n`;
  return `${text.replace(/\n*$/, '\n\n')}${block}\n`;
}

/** Removes the block and the blank line install put before it. */
export function removeAgentsBlock(text: string): string {
  const start = text.indexOf(BLOCK_BEGIN);
  const end = text.indexOf(BLOCK_END);
  if (start === -1 || end < start) return text;
  const before = text.slice(0, start).replace(/\n\n$/, '\n');
  const after = text.slice(end + BLOCK_END.length).replace(/^\n/, '');
  return `${before}${after}`;
}

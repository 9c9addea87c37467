// AGENTS.md as rules with their lines. Pure.
import { BLOCK_BEGIN, BLOCK_END } from '../install/agents-block.js';
import type { AgentsRule } from '../schema/harness.js';

const LIST_MARKER = /^\s*(?:[-*+]|\d{1,3}[.)])\s+/;

/**
 * Every instruction line: list items and prose lines, headings, fences and blank lines left out.
 * Lines inside harness-loop's marked block belong to harness-loop and are never a remedy target.
 */
export function parseAgentsRules(text: string): AgentsRule[] {
  const rules: AgentsRule[] = [];
  let fenced = false;
  let managed = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.includes(BLOCK_BEGIN.slice(0, 24))) managed = true;
    const endsBlock = raw.includes(BLOCK_END);
    if (/^\s{0,3}(```|~~~)/.test(raw)) fenced = !fenced;
    else if (!fenced && !/^\s*(#|<!--|$)/.test(raw) && !/^\s*[|-]{3,}/.test(raw)) {
      const text = raw.replace(LIST_MARKER, '').trim();
      if (text.length > 0) rules.push({ text, line: i + 1, owner: managed ? 'harness-loop' : 'team' });
    }
    if (endsBlock) managed = false;
  });
  return rules;
}

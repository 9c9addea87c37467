// What the user asked, out of what Codex and its front ends wrap around it. Tasks are how evals
// match runs, so injected context must never be taken for the prompt.
import { isRecord } from './source.js';

/** Blocks Codex and its front ends put in user-role messages; never the user's words. */
const INJECTED_TAGS = [
  'environment_context',
  'user_instructions',
  'skill',
  'hook_prompt',
  'turn_aborted',
  'recommended_plugins',
  'app-context',
  'codex_internal_context',
  'multi_agent_mode',
  'permissions instructions',
  'skills_instructions',
  'apps_instructions',
  'collaboration_mode',
  'in-app-browser-context',
  'subagent_notification',
];

const TAG_BLOCK = new RegExp(
  `^\\s*<(${INJECTED_TAGS.map((t) => t.replace(/[-\s]/g, (c) => (c === ' ' ? '\\s' : c))).join('|')})(?:\\s[^>]*)?>[\\s\\S]*?</\\1>\\s*`,
);
const AGENTS_MD_BLOCK = /^\s*# AGENTS\.md instructions[^\n]*\n+<INSTRUCTIONS>[\s\S]*?<\/INSTRUCTIONS>\s*/;
/** The desktop app and IDE extension put attached context first, then this heading, then what was typed. */
const REQUEST_HEADING = /^## My request(?: for Codex)?:[ \t]*$/gm;
/** Attached images appear as wrappers around nothing: `<image name=[Image #1] path="…">\n</image>`. */
const IMAGE_WRAPPER = /<image\b[^>]*>\s*(?:<\/image>)?/g;

/** The typed request inside a front end's envelope, or the text itself when there is none. */
export function requestText(text: string): string {
  let rest = text;
  for (;;) {
    const peeled = rest.replace(TAG_BLOCK, '').replace(AGENTS_MD_BLOCK, '');
    if (peeled === rest) break;
    rest = peeled;
  }
  let last = -1;
  for (const m of rest.matchAll(REQUEST_HEADING)) last = m.index! + m[0].length;
  if (last >= 0) rest = rest.slice(last);
  else if (/^\s*# (Context from my IDE setup|Files mentioned by the user|Selected text|In app browser)/.test(rest)) rest = ''; // context only
  return rest.replace(IMAGE_WRAPPER, '').trim();
}

/** The prompt in a user message, or null when the message is only injected context. */
export function promptOf(text: string): string | null {
  const request = requestText(text);
  return request === '' ? null : request;
}

/** Text of a Responses API message's content parts (`input_text`, `output_text`, `text`). */
export function messageText(content: unknown): string {
  if (!Array.isArray(content)) return typeof content === 'string' ? content : '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/**
 * The user's own text in a rollout `message`: since 0.15x Codex marks each content part's origin in
 * `content_item_kinds` (`user.text` is what was typed); without marks every text part counts.
 * Returns null when the message holds no user text at all.
 */
export function userTextOf(content: unknown, kinds: unknown): string | null {
  if (Array.isArray(kinds) && kinds.length > 0 && Array.isArray(content)) {
    if (!kinds.includes('user.text')) return null;
    const parts = content.filter((_, i) => kinds[i] === 'user.text' || kinds[i] === undefined);
    return promptOf(messageText(parts));
  }
  return promptOf(messageText(content));
}

/** Images attached to a user message: file paths kept, inline data never (it is megabytes). */
export function imagesOf(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const part of content) {
    if (!isRecord(part) || part.type !== 'input_image') continue;
    const url = typeof part.image_url === 'string' ? part.image_url : '';
    out.push(url.startsWith('data:') ? `inline ${url.slice(5, url.indexOf(';') > 0 ? url.indexOf(';') : 20)}` : url || 'image');
  }
  return out;
}

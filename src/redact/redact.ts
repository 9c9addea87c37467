import type { RedactionPattern } from '../schema/config.js';

/** A secret shape: every match of `pattern` becomes `[REDACTED:<kind>]` (or keeps group 1 as a prefix). */
export interface SecretRule {
  kind: string;
  pattern: RegExp;
  /** When set, the first capture group is kept in front of the marker (the `NAME=` of `NAME=value`). */
  keepPrefix?: boolean;
  /** A cheap test the text must pass before the (costlier) pattern runs at all. */
  hint?: RegExp;
}

// Names that say key/token/secret/password. "tokens", "token_count" and "tokenizer" are counts
// and tools, not credentials, so they are excluded.
const SECRET_WORD = String.raw`(?:api[_-]?key|apikey|secret|token(?!s|_?count|_?usage|_?limit|izer|[_-]?type)|passwd|password|passphrase|private[_-]?key|access[_-]?key|credentials?)`;
// The name parts around the word are bounded: unbounded `[…]*` on both sides of an alternation
// backtracks quadratically over long runs like base64url blobs or `a-a-a-…` (a 32 KB string took
// seconds, 1 MB would hang the ingest).
const NAME_PART = '[A-Za-z0-9_.-]{0,64}';
const SECRET_NAME = `${NAME_PART}${SECRET_WORD}${NAME_PART}`;

/** Every secret-named field contains one of these stems; the name rules need one to match at all. */
const SECRET_WORD_HINT = /key|secret|token(?!s| count)|passw|passphrase|credential/i;

/** Built-in rules, most specific first so a key inside `API_KEY=sk-…` is named for its kind. */
export const BUILTIN_RULES: readonly SecretRule[] = [
  // The body is PEM characters (base64, header lines, escaped newlines) up to the END line, or up
  // to the first other character when the key was cut off: a truncated key is still a key, and a
  // lazy scan for a missing END line is quadratic when many BEGIN lines repeat.
  {
    kind: 'private-key',
    hint: /PRIVATE KEY/,
    pattern: /-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY-----(?:[A-Za-z0-9+/=\s\\:,]|-(?!----))*(?:-----END \1PRIVATE KEY-----)?/g,
  },
  { kind: 'anthropic-key', hint: /sk-ant-/, pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: 'openai-key', hint: /sk-/, pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'github-token', hint: /gh[pousr]_|github_pat_/, pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { kind: 'aws-access-key', hint: /AKIA|ASIA|ABIA|ACCA/, pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: 'slack-token', hint: /xox/, pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-webhook', hint: /hooks\.slack\.com/, pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { kind: 'google-api-key', hint: /AIza/, pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'bearer-token', hint: /bearer/i, pattern: /(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keepPrefix: true },
  // Anchored on `://` (the scheme before it is kept anyway); the user part may be empty (redis://:pw@host).
  { kind: 'url-credentials', hint: /:\/\//, pattern: /(:\/\/[^\s:/@"'\\]{0,256}:)[^\s@/"'\\]{1,256}(?=@)/g, keepPrefix: true },
  // A token as the whole userinfo (`https://TOKEN@host/…`, how CI clones with a token): at least 16
  // token characters with a digit, so `ssh://git@host` and `https://deploy@host` stay readable.
  { kind: 'url-credentials', hint: /:\/\/[^\s/@]{16,}@/, pattern: /(:\/\/)(?=[A-Za-z0-9._~+-]{0,255}\d)[A-Za-z0-9._~+-]{16,256}(?=@)/g, keepPrefix: true },
  // "password": "x" and 'api_key': 'x' in JSON, Python and JS literals (also inside escaped JSON strings).
  {
    kind: 'secret-value',
    pattern: new RegExp(String.raw`((\\?["'])${SECRET_NAME}\2\s{0,8}:\s{0,8}(\\?["']))(?!\[REDACTED)(?:(?!\3)[^\r\n])+?(?=\3)`, 'gi'),
    keepPrefix: true,
    hint: SECRET_WORD_HINT,
  },
  // NAME=value, NAME: value (env files, YAML, shell), quoted or bare.
  {
    kind: 'secret-value',
    // No leading name part here: the match may start at the secret word, since the name is kept
    // as the prefix either way, and that makes the scan linear.
    pattern: new RegExp(String.raw`(${SECRET_WORD}${NAME_PART}[ \t]{0,8}(?:=|:)[ \t]{0,8}["']?)(?!\[REDACTED)[^\s"'\\,;&]{3,}`, 'gi'),
    keepPrefix: true,
    hint: SECRET_WORD_HINT,
  },
];

/** A quick pre-check: strings without any of these substrings cannot hold a built-in secret. */
const HINT =
  /sk-|gh[pousr]_|github_pat_|AKIA|ASIA|ABIA|ACCA|xox|hooks\.slack|AIza|bearer|PRIVATE KEY|:\/\/[^\s/]*:|:\/\/[^\s/@]{16,}@|key|token(?!s| count)|secret|passw|passphrase|credential/i;

export class Redactor {
  private readonly rules: SecretRule[];

  constructor(extra: readonly RedactionPattern[] = []) {
    this.rules = [...extra.map((p) => ({ kind: p.name, pattern: new RegExp(p.pattern, `g${p.flags ?? ''}`) })), ...BUILTIN_RULES];
    this.extraCount = extra.length;
  }

  private readonly extraCount: number;

  /** Redacts every secret in one string. */
  redactString(text: string): string {
    if (this.extraCount === 0 && !HINT.test(text)) return text;
    let out = text;
    for (const rule of this.rules) {
      if (rule.hint && !rule.hint.test(out)) continue;
      rule.pattern.lastIndex = 0;
      out = out.replace(rule.pattern, (match: string, prefix: unknown) => {
        // A config pattern that can match nothing (`x*`) would put a marker between every character.
        if (match === '') return match;
        return rule.keepPrefix && typeof prefix === 'string' ? `${prefix}[REDACTED:${rule.kind}]` : `[REDACTED:${rule.kind}]`;
      });
    }
    return out;
  }

  /** Returns a deep copy of `value` with every string (keys' values, array items, nested) redacted. */
  redact<T>(value: T): T {
    return this.walk(value, undefined) as T;
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      const redacted = this.redactString(value);
      // A field named like a secret ("password": "…") is a secret whatever its shape; it keeps a
      // more specific kind only when one rule recognised the whole value.
      if (key !== undefined && value !== '' && SECRET_KEY.test(key) && !/^\[REDACTED:[^\]]+\]$/.test(redacted)) return '[REDACTED:secret-value]';
      return redacted;
    }
    // Items inherit their field's name: `"passwords": ["…"]` holds secrets too.
    if (Array.isArray(value)) return value.map((v) => this.walk(v, key));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.walk(v, k);
      return out;
    }
    return value;
  }
}

const SECRET_KEY = new RegExp(`^${SECRET_NAME}$`, 'i');

// SKILL.md frontmatter and body size. Pure; only the keys Codex reads (name, description).

/** What a SKILL.md says about itself, or a reason it would not load. */
export type ParsedSkill =
  | { ok: true; name: string | null; description: string; descriptionLine: number; bodyStartLine: number; bodyChars: number; bodyLines: number }
  | { ok: false; reason: string };

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

export function parseSkillFile(text: string): ParsedSkill {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return { ok: false, reason: 'missing YAML frontmatter delimited by ---' };
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end === -1) return { ok: false, reason: 'frontmatter is not closed by ---' };
  let name: string | null = null;
  let description: string | null = null;
  let descriptionLine = 1;
  for (let i = 1; i < end; i++) {
    const m = /^(name|description):\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    let value = m[2]!;
    // Folded or literal block scalars continue on indented lines.
    if (/^[>|][-+]?\s*$/.test(value.trim())) {
      const parts: string[] = [];
      for (let j = i + 1; j < end && /^\s+\S/.test(lines[j]!); j++) parts.push(lines[j]!.trim());
      value = parts.join(' ');
    }
    if (m[1] === 'name') name = unquote(value);
    else {
      description = unquote(value);
      descriptionLine = i + 1;
    }
  }
  if (description === null || description === '') return { ok: false, reason: 'missing field `description`' };
  const body = lines.slice(end + 1).join('\n');
  return {
    ok: true,
    name,
    description,
    descriptionLine,
    bodyStartLine: end + 2,
    bodyChars: body.length,
    bodyLines: body.split('\n').filter((l) => l.trim() !== '').length,
  };
}

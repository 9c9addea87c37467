import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePatch } from '../../../src/checks/apply-patch.js';

describe('parsePatch', () => {
  it('reads the patch of a real Codex apply_patch call', () => {
    const input = JSON.parse(readFileSync('test/fixtures/codex-hooks/PreToolUse.apply_patch.json', 'utf8'));
    expect(parsePatch(input.tool_input.command)).toMatchObject({ ok: true, paths: [{ op: 'add', path: 'hello.txt', line: 2 }] });
  });

  it('lists every add, update, delete and move header, in order', () => {
    const patch = [
      '*** Begin Patch',
      '*** Add File: a.md',
      '+*** Update File: not-a-header.md',
      '*** Update File: b.ts',
      '*** Move to: c.ts',
      '@@ function x',
      '-old',
      '+new',
      '*** End of File',
      '*** Delete File: d.txt',
      '*** End Patch',
    ].join('\n');
    expect(parsePatch(patch)).toMatchObject({
      ok: true,
      paths: [
        { op: 'add', path: 'a.md', line: 2 },
        { op: 'update', path: 'b.ts', line: 4 },
        { op: 'move', path: 'c.ts', line: 5 },
        { op: 'delete', path: 'd.txt', line: 10 },
      ],
    });
  });

  it('accepts the heredoc-wrapped form Codex also takes', () => {
    expect(parsePatch("<<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n")).toMatchObject({
      ok: true,
      paths: [{ op: 'add', path: 'a', line: 3 }],
    });
  });

  it.each([
    ['no begin line', '*** Add File: a\n+x\n*** End Patch', 'the patch does not start with "*** Begin Patch"'],
    ['no end line', '*** Begin Patch\n*** Add File: a\n+x\n', 'the patch does not end with "*** End Patch"'],
    ['an unknown header', '*** Begin Patch\n*** Copy File: a\n*** End Patch', 'line 2 is not a valid hunk header: *** Copy File: a'],
    ['an empty path', '*** Begin Patch\n*** Add File: \n*** End Patch', 'line 2 is not a valid hunk header: *** Add File:'],
    ['no file', '*** Begin Patch\n*** End Patch', 'the patch names no file'],
    ['text after the end', '*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\n*** Add File: b', 'the patch does not end with "*** End Patch"'],
    [
      'a header Codex reads as context',
      '*** Begin Patch\n*** Update File: a\n@@\n x\n *** Add File: b\n+y\n*** End Patch',
      'line 5: " *** Add File: b" looks like a patch header but Codex reads it as a context line; write the header without leading whitespace',
    ],
  ])('refuses a patch with %s', (_name, patch, reason) => {
    expect(parsePatch(patch)).toEqual({ ok: false, reason });
  });
});

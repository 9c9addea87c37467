import { describe, expect, it } from 'vitest';
import { namedByText, problemKindOf } from '../../../src/diagnose/clusters.js';

const NAMES = { mcpServers: ['issues'], hooks: [{ command: 'node .codex/hooks/lint-answer.mjs', event: 'PostToolUse' }] };
const kind = (observation: string, category = 'x') => problemKindOf({ category, observation, evidence: [], prohibitedClaims: [], requiredObservations: [] });

describe('namedByText', () => {
  it('names the component a reviewer blames', () => {
    expect(namedByText('the issues server refused every call', NAMES)).toEqual({ errorClass: 'mcp_call', subject: 'mcp:issues' });
    expect(namedByText('The MCP server never started', NAMES)).toEqual({ errorClass: 'mcp_startup', subject: 'mcp:issues' });
    expect(namedByText('the lint-answer hook crashes after every edit', NAMES)).toEqual({
      errorClass: 'hook_error',
      subject: 'hook:node .codex/hooks/lint-answer.mjs',
    });
    expect(namedByText('The PostToolUse hook adds 9 seconds to each call', NAMES)).toEqual({
      errorClass: 'hook_slow',
      subject: 'hook:node .codex/hooks/lint-answer.mjs',
    });
    expect(namedByText('Tests could not download their fixtures: no network in the sandbox', NAMES)).toEqual({ errorClass: 'network', subject: 'network' });
  });

  it('leaves text alone that only mentions a topic', () => {
    expect(namedByText('The answer about network limits is wrong', NAMES)).toBeNull();
    expect(namedByText('Explain our webhook payloads better', NAMES)).toBeNull();
    expect(namedByText('The hook documentation is out of date', NAMES)).toBeNull();
  });
});

describe('problemKindOf', () => {
  it('reads the problem from the text, with the category as a hint only', () => {
    expect(kind('Claimed all tests pass but never ran them')).toBe('validation');
    expect(kind('Wrote an API key into config/dev.env')).toBe('forbidden');
    expect(kind('The review has no Risks section')).toBe('structure');
    expect(kind('Cites a file that does not exist')).toBe('citation');
    expect(kind('The total is wrong')).toBe('reasoning');
    expect(kind('Too chatty', 'tone')).toBe('content');
    expect(kind('see above', 'missing_section')).toBe('structure');
  });
});

describe('cutQuote', () => {
  it('cuts at a word boundary, never doubles quotes, and never cuts inside JSON', async () => {
    const { cutQuote } = await import('../../../src/diagnose/words.js');
    expect(cutQuote('"answer: the old key stops working"')).toBe('answer: the old key stops working');
    expect(cutQuote("regex 'a' failed: expected 'b'")).toBe("regex 'a' failed: expected 'b'");
    expect(cutQuote('one two three four five six', 14)).toBe('one two three…');
    const json = JSON.stringify({ cmd: 'npm test', output: 'x '.repeat(200) });
    const cut = cutQuote(json, 60);
    expect(cut.startsWith('npm test · x x')).toBe(true);
    expect(cut).not.toContain('{');
  });
});

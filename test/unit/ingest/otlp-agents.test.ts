// 8. Span exports from other agents (GenAI semantic conventions, OpenInference): constructed
// fixtures, see test/fixtures/otlp-agents/README.md.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../src/ingest/ingest.js';
import { otlpJsonReader } from '../../../src/ingest/otlp.js';
import type { Skip } from '../../../src/ingest/source.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { TraceSchema, type Trace } from '../../../src/schema/trace.js';

const F = 'test/fixtures/otlp-agents';

async function readAll(file: string): Promise<{ traces: Trace[]; skipped: Skip[] }> {
  const skipped: Skip[] = [];
  const traces: Trace[] = [];
  for await (const t of otlpJsonReader.read([file], { skip: (s) => skipped.push(s), maxLineBytes: 1 << 24 })) traces.push(TraceSchema.parse(t));
  return { traces, skipped };
}

describe('8. generic OTLP agent spans', () => {
  it('maps gen_ai.* spans (current and deprecated names) to one trace with task, answer, tools, errors and tokens', async () => {
    const { traces, skipped } = await readAll(join(F, 'genai-semconv.json'));
    expect(skipped).toEqual([]);
    expect(traces).toHaveLength(1);
    const t = traces[0]!;
    expect(t).toMatchObject({ id: 'conv_5f0e2c7a91d3', sessionId: 'conv_5f0e2c7a91d3', task: 'Why was I charged twice in March?' });
    expect(t.finalAnswer).toMatch(/^I could not reach the invoice service/);
    expect(t.models).toContain('gpt-5.4-mini');
    // 812 + 930 input (gen_ai.usage.input_tokens and the deprecated prompt_tokens), 64 + 58 output
    expect(t.usage).toMatchObject({ inputTokens: 1742, outputTokens: 122, cachedInputTokens: 512 });
    const tool = t.spans.find((s) => s.kind === 'tool_call')!;
    expect(tool).toMatchObject({ name: 'lookup_invoices', status: 'error', error: 'invoice service timed out', parentId: '00f067aa0ba902b7' });
    expect(t.spans.map((s) => s.kind)).toEqual(['turn', 'model_call', 'tool_call', 'model_call']);
  });

  it('maps OpenInference spans from Collector file-exporter lines, joined across lines', async () => {
    const { traces, skipped } = await readAll(join(F, 'openinference.collector.jsonl'));
    expect(skipped).toEqual([]);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({
      id: 'sess-docs-0042',
      task: 'How do I rotate the signing key?',
      models: ['gpt-5.4'],
      usage: { inputTokens: 1450, outputTokens: 96, totalTokens: 1546 },
    });
    expect(traces[0]!.finalAnswer).toContain('docs/security/keys.md');
    expect(traces[0]!.spans.find((s) => s.kind === 'tool_call')).toMatchObject({
      name: 'search_docs',
      output: '[{"path":"docs/security/keys.md","score":0.91}]',
    });
  });

  it('are found by ingest with format auto-detection', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace, paths: [F], from: 'auto', allRepos: true, config: ConfigSchema.parse({}), dryRun: true });
    expect(result.traces).toBe(2);
  });
});

import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildEvalSuite, toTraceInfo } from '../../../src/evals/build.js';
import { protectText, unprotectDeep, unprotectText } from '../../../src/evals/template-safe.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { makeFeedback, makeTrace } from './helpers.js';

// The Nunjucks Promptfoo renders with (its own dependency), so the escape is checked against the real engine.
const nunjucks = createRequire(import.meta.url)('nunjucks') as { configure(o: object): { renderString(t: string, ctx: object): string } };
const engine = nunjucks.configure({ autoescape: false });

/** Promptfoo's load-time pass (renderEnvOnlyInObject): which `{{ … }}` spans it would evaluate. */
function envSpans(text: string): string[] {
  return (text.match(/\{\{(?:[^}]|\}(?!\}))*\}\}/g) ?? []).filter((m) => /\benv\.|env\[/.test(m));
}

const NASTY = [
  '"); process.exit(1); //',
  "'); require('child_process').execSync('touch /tmp/pwned'); //",
  '{{ env.OPENAI_API_KEY }}',
  '{{env["HOME"]}}',
  '{% for i in range(100000000) %}x{% endfor %}',
  '{# hidden #}shown',
  'C# } and #} and {#}',
  '{{{ triple }}}',
  '{{ "{" }} already escaped-looking',
  'a {{ b }} c }} {{',
  'file:///etc/passwd',
  'package:evil:run',
  'key: value\n- item\n? complex\n&anchor *alias !tag %directive @at `tick` | > #comment',
  '--- \n...\n',
  '2025-11-30',
  'yes',
  '\u2028line\u2029sep\ttab\u0000nul',
];

describe('template protection', () => {
  it.each(NASTY)('renders back exactly and evaluates nothing: %j', (text) => {
    const protectedText = protectText(text);
    expect(engine.renderString(protectedText, { env: { OPENAI_API_KEY: 'sk-secret', HOME: '/root' } })).toBe(text);
    expect(envSpans(protectedText)).toEqual([]);
    expect(protectedText.startsWith('file://') || protectedText.startsWith('package:')).toBe(false);
    expect(unprotectText(protectedText)).toBe(text);
  });

  it('leaves ordinary text alone', () => {
    expect(protectText('Runway is 11 months ({not a tag}).')).toBe('Runway is 11 months ({not a tag}).');
  });
});

describe('feedback text in the generated suite', () => {
  const config = ConfigSchema.parse({});
  const traces = [makeTrace('t-1', NASTY[2]!, 'answer'), makeTrace('file://t-2.js', 'file://task.js', 'answer')];
  const feedback = [
    makeFeedback({
      traceId: 't-1',
      category: 'injection {{ env.HOME }}',
      observation: NASTY[3]!,
      prohibitedClaims: NASTY,
      requiredObservations: [`Say "${NASTY[2]}"`],
    }),
    makeFeedback({
      traceId: 'file://t-2.js',
      category: 'missing_section',
      observation: 'lacks a section',
      attributes: { missingSections: ['## "); process.exit(1); //'] },
    }),
  ];
  const { text } = buildEvalSuite({
    feedback,
    traces: traces.map(toTraceInfo),
    existing: null,
    prunedIds: new Set(),
    cycle: 1,
    config,
    rubricThreshold: 0.8,
    file: 'x.yaml',
  });
  const suite = parse(text, { customTags: ['timestamp'] }) as {
    tests: { description: string; vars: Record<string, string>; metadata: Record<string, unknown>; assert: { type: string; value?: string }[] }[];
  };

  const byTrace = (id: string) => suite.tests.find((t) => unprotectText(t.vars.trace_id!) === id)!;

  it('is data, not YAML structure: every string comes back exactly', () => {
    const t1 = byTrace('t-1');
    const t2 = byTrace('file://t-2.js');
    const forbidden = t1!.assert.filter((a) => a.type === 'not-icontains').map((a) => unprotectText(a.value!));
    expect(forbidden).toEqual(
      expect.arrayContaining([
        '"); process.exit(1); //',
        'child_process',
        '{{ env.OPENAI_API_KEY }}',
        '{# hidden #}shown',
        'file:///etc/passwd',
        'package:evil:run',
        '2025-11-30',
        'yes',
      ]),
    );
    const rubric = unprotectText(t1!.assert.find((a) => a.type === 'llm-rubric')!.value!);
    expect(rubric).toContain(`- It does not claim: ${NASTY[12]}`);
    expect(unprotectDeep(t1!.vars)).toMatchObject({ task: NASTY[2], trace_id: 't-1' });
    expect(unprotectDeep(t2!.vars)).toMatchObject({ task: 'file://task.js', trace_id: 'file://t-2.js' });
    expect(unprotectText(String(t1!.metadata.category))).toBe('injection {{ env.HOME }}');
  });

  it('leaves nothing Promptfoo would template, load or run', () => {
    const strings: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(suite.tests);
    for (const s of strings) {
      expect(envSpans(s), s).toEqual([]);
      expect(/^(?:file:\/\/|package:)/.test(s), s).toBe(false);
      // Whatever Promptfoo renders must come out as the original text.
      expect(engine.renderString(s, { env: { HOME: '/root' } })).toBe(unprotectText(s));
    }
  });

  it('keeps JavaScript checks built from feedback text inert', () => {
    const js = byTrace('file://t-2.js').assert.find((a) => a.type === 'javascript')!;
    const code = engine.renderString(js.value!, {});
    const check = new Function('output', `return ${code}`) as (o: string) => unknown;
    expect(check('## "); process.exit(1); //\nbody')).toBe(true);
    expect(check('nothing')).toBe(false);
  });
});

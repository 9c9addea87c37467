import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import { writeHandoff } from '../../../src/handoff/handoff.js';
import { readTraceStore } from '../../../src/ingest/store.js';
import { exampleWorkspace } from '../../support/example-workspace.js';
import { loadAllFeedback } from '../../../src/diagnose/diagnose.js';
import { workspacePaths } from '../../../src/util/workspace.js';

const COOKBOOK_SECTIONS = [
  '## Executive summary',
  '## Top 3 changes to implement first',
  '## Ranked recommendation table',
  '## Supporting diagnosis and evidence',
  '## Detailed recommendations',
  '## Insights by feedback source',
  '## Machine-readable summary',
];

describe('codex_handoff.md on the bundled example', () => {
  it('carries the cookbook sections in order, THE change first, the cycle rules, and only real ids', async () => {
    const { workspace, config } = await exampleWorkspace();
    const { diagnosis } = await diagnose({ workspace, config, codexHome: null, now: new Date('2026-11-25T12:00:00Z') });
    const { file } = await writeHandoff({ workspace, config, codexHome: null });
    const text = readFileSync(file, 'utf8');

    const h2 = text.split('\n').filter((l) => l.startsWith('## '));
    expect(h2).toEqual(COOKBOOK_SECTIONS);
    for (const h of [
      '### Behavior contract',
      '#### Prompt',
      '#### Skills',
      '### Runtime implementation',
      '#### Tools',
      '#### Control flow',
      '#### Routing',
      '### Output contract',
      '#### Artifact schema',
      '### Observability and evals',
      '#### Observability',
      '#### Evals',
    ]) {
      expect(text).toContain(`\n${h}\n`);
    }

    const top = diagnosis.recommendations[0]!;
    expect(text).toContain(`### THE change for this cycle: ${top.title}`);
    expect(text).toContain('Change only harness artefacts');
    expect(text).toContain('Implement exactly ONE recommendation');
    expect(text).toContain('`harness-loop verify`');
    for (const f of top.files) expect(text).toContain(`\`${f}\``);

    // The planted problems come first: unsupported citations caught by a hook, then the skill the
    // agent followed when it dropped the conflicting price.
    expect(top.category).toContain('citation_error');
    expect(top.target).toBe('post-tool-use-hook');
    expect(top.layer).toBe('hook');
    expect(text).toContain('- Speed: this acts at hook (milliseconds), faster than review (hours), where the problem was found.');
    const conflict = diagnosis.recommendations.find((r) => r.category.includes('conflict_not_surfaced'))!;
    expect(conflict.target).toBe('skill-body');
    expect(conflict.files).toEqual(['.agents/skills/docs-answer/SKILL.md']);
    expect(conflict.harnessQuotes.map((q) => q.text)).toContain('If two files disagree, use the one that looks most recent and move on.');
    // Quotes are never doubled and never cut inside a word.
    expect(text).not.toMatch(/""|“"/);
    for (const line of text.split('\n').filter((l) => /^- .*`: ".*…"$/.test(l))) expect(line).toMatch(/\w…"$/);

    const traceIds = new Set<string>();
    for await (const t of readTraceStore(workspacePaths(workspace).traceStore)) traceIds.add(t.id);
    const feedbackIds = new Set((await loadAllFeedback(workspacePaths(workspace).feedback)).map((f) => f.id));
    for (const r of diagnosis.recommendations) {
      for (const id of r.evidence.traceIds) expect(traceIds).toContain(id);
      for (const id of r.evidence.feedbackIds) expect(feedbackIds).toContain(id);
    }

    const json = /```json\n([\s\S]*?)\n```/.exec(text)![1]!;
    expect(JSON.parse(json).the_change.id).toBe(top.id);
  });

  it('says which command to run first when the diagnosis is missing', async () => {
    const { workspace, config } = await exampleWorkspace({ detect: false });
    await expect(writeHandoff({ workspace, config })).rejects.toThrow('run `harness-loop diagnose` first');
  });
});

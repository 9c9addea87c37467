// The generated suite for a fixed feedback set, byte for byte: real rollouts, the real detect
// stage, reviewer feedback in every mapped shape (content, judgement, praise by label and rating,
// a thumbs-down). A change to generation shows up here as a diff to review.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildSuite } from '../../../src/evals/build-stage.js';
import { detectFeedback } from '../../../src/feedback/detect.js';
import { importFeedback } from '../../../src/feedback/import.js';
import { defaultConfig, NOW, workspaceWith } from '../feedback/helpers.js';

const FIX = 'test/fixtures/expected-failures';

describe('the generated suite (golden)', () => {
  it('is byte for byte the reviewed promptfooconfig.yaml', async () => {
    const ws = await workspaceWith([`${FIX}/asked.jsonl`, `${FIX}/probes.jsonl`, `${FIX}/retry.jsonl`, 'test/fixtures/feedback/rollout.hook_block.jsonl']);
    const config = defaultConfig();
    await detectFeedback({ workspace: ws, config, now: NOW, fileExists: () => true });
    await importFeedback({ workspace: ws, files: ['test/fixtures/golden/review.yaml'], config, now: NOW });
    const { file, summary } = await buildSuite({ workspace: ws, cycle: 1 });
    expect(summary.traceChecks).toEqual({ noFailedCommands: 1, noHookBlocks: 2 });
    await expect(await readFile(file, 'utf8')).toMatchFileSnapshot('../../golden/promptfooconfig.yaml');
    const verdicts = (await readFile(`${ws}/.harness-loop/evals/rubric-verdicts.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    await expect(`${JSON.stringify(verdicts, null, 2)}\n`).toMatchFileSnapshot('../../golden/praise-verdicts.json');
  });
});

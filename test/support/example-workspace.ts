// A fresh copy of the bundled example with its baseline sessions ingested and its human feedback
// imported: the state most stage tests start from. Built through the real stage functions.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../../src/ingest/ingest.js';
import { importFeedback } from '../../src/feedback/import.js';
import { detectFeedback } from '../../src/feedback/detect.js';
import { ConfigSchema, type Config } from '../../src/schema/config.js';

export const EXAMPLE = 'examples/docs-qa';

export async function exampleWorkspace(options: { detect?: boolean } = {}): Promise<{ workspace: string; config: Config }> {
  const workspace = mkdtempSync(join(tmpdir(), 'hl-example-'));
  cpSync(join(EXAMPLE, 'workspace'), workspace, { recursive: true });
  const config = ConfigSchema.parse({});
  await ingest({ workspace, paths: [join(EXAMPLE, 'recorded/baseline/sessions')], from: 'auto', allRepos: true, config });
  const files = readdirSync(join(EXAMPLE, 'feedback'))
    .filter((f) => /\.(ya?ml|json|jsonl)$/.test(f))
    .map((f) => join(EXAMPLE, 'feedback', f));
  await importFeedback({ workspace, files, config, now: '2026-11-25T12:00:00.000Z' });
  if (options.detect !== false) await detectFeedback({ workspace, config, now: '2026-11-25T12:00:00.000Z' });
  return { workspace, config };
}

import { createReadStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createZstdDecompress, isZstd, openZstdFile } from '../../../src/util/zstd.js';

const ZST = 'test/fixtures/codex-history/sessions/2026/11/24/rollout-2026-11-24T20-58-02-01a20f59-f305-7e31-9c64-0113b2a3c47d.jsonl.zst';
const PLAIN = readFileSync('test/fixtures/codex-exec/rollout.base.jsonl');

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

describe('zstd decoding', () => {
  it('fzstd streams the compressed rollout back to the exact bytes', async () => {
    expect(isZstd(readFileSync(ZST))).toBe(true);
    const out = await collect(createReadStream(ZST, { highWaterMark: 4096 }).pipe(createZstdDecompress()));
    expect(out.equals(PLAIN)).toBe(true);
  });

  it('fails the stream with a message on corrupt data', async () => {
    const broken = Buffer.concat([readFileSync(ZST).subarray(0, 100), Buffer.alloc(200, 0x41)]);
    const decoder = createZstdDecompress();
    decoder.end(broken);
    await expect(collect(decoder)).rejects.toThrow(/bad zstd data/);
  });

  it('openZstdFile reports a missing file through the stream', async () => {
    await expect(collect(openZstdFile(join(tmpdir(), 'no-such-rollout.jsonl.zst')))).rejects.toThrow(/ENOENT/);
  });
});

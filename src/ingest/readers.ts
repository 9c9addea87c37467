import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { isZstd, openZstdFile } from '../util/zstd.js';
import type { TraceReader, SniffInput } from './source.js';
import { codexRolloutReader } from './codex-rollout.js';
import { codexExecReader } from './codex-exec.js';
import { codexExecLegacyReader } from './codex-exec-legacy.js';
import { otlpJsonReader, otlpProtobufReader } from './otlp.js';
import { agentsSdkReader } from './agents-sdk.js';

/** Every reader, in the order auto-detection tries them (binary protobuf last). */
export const READERS: readonly TraceReader[] = [
  codexRolloutReader,
  codexExecReader,
  codexExecLegacyReader,
  otlpJsonReader,
  agentsSdkReader,
  otlpProtobufReader,
];

export const FROM_CHOICES = ['auto', ...READERS.map((r) => r.name)] as const;

const HEAD_BYTES = 64 * 1024;

/** Reads what auto-detection needs from a file: its first bytes and its first JSON line. */
export async function readSniffInput(file: string): Promise<SniffInput> {
  const handle = await open(file, 'r');
  let bytes: Buffer;
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    bytes = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH: a truncated head is fine */ });
    } catch {
      // leave as is; nothing will match
    }
  }
  // A zstd block holds up to 128 KiB, so the compressed head may not hold a whole one: decode
  // from the file until enough text is out.
  if (isZstd(bytes)) bytes = await decompressedHead(file, HEAD_BYTES);
  let firstRecord: unknown;
  const text = bytes.toString('utf8');
  const firstLine = text.split('\n').find((l) => l.trim() !== '');
  if (firstLine !== undefined) {
    try {
      firstRecord = JSON.parse(firstLine);
    } catch {
      firstRecord = undefined;
    }
  }
  return { file, bytes, firstRecord };
}

/** Picks the reader for a file, or null when no format matches. */
export function detectReader(input: SniffInput): TraceReader | null {
  return READERS.find((r) => r.sniff(input)) ?? null;
}

export function readerByName(name: string): TraceReader | undefined {
  return READERS.find((r) => r.name === name);
}

/** The first `limit` decompressed bytes of a .zst file (fewer when it is shorter or broken). */
async function decompressedHead(file: string, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  const stream = openZstdFile(file) as NodeJS.ReadableStream & { destroy(): void };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // broken data: detect on what decoded
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, limit);
}

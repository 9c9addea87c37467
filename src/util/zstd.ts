// Codex compresses idle rollouts to `.jsonl.zst`; Node 20's zlib has no zstd. fzstd is a small,
// dependency-free streaming decoder in plain JavaScript: nothing to compile or download, and it
// decodes block by block, so a compressed rollout is read with the same bounded memory as a plain one.
import { Transform } from 'node:stream';
import { Decompress } from 'fzstd';

/** The 4-byte zstd frame magic (RFC 8878 §3.1.1), little-endian 0xFD2FB528. */
export function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
}

/** A Transform that decompresses a zstd byte stream; corrupt input fails the stream with a message. */
export function createZstdDecompress(): Transform {
  let pending: Uint8Array[] = [];
  const decoder = new Decompress((data) => {
    pending.push(data);
  });
  const flushInto = (stream: Transform) => {
    // fzstd may hand out views of its window buffer that later blocks overwrite: copy them.
    for (const data of pending) stream.push(Buffer.from(data));
    pending = [];
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        decoder.push(chunk);
      } catch (error) {
        done(new Error(`bad zstd data: ${(error as Error).message}`));
        return;
      }
      flushInto(this);
      done();
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true);
      } catch (error) {
        done(new Error(`bad zstd data: ${(error as Error).message}`));
        return;
      }
      flushInto(this);
      done();
    },
  });
}

/** Decodes the start of a zstd stream (for format detection); a cut-off frame is fine. */
export function zstdHead(bytes: Uint8Array, limit: number): Buffer {
  const out: Uint8Array[] = [];
  let size = 0;
  const decoder = new Decompress((data) => {
    if (size < limit) out.push(Buffer.from(data));
    size += data.length;
  });
  try {
    decoder.push(bytes);
  } catch {
    // a head cut inside a block, or not zstd after all: keep what decoded
  }
  return Buffer.concat(out).subarray(0, limit);
}

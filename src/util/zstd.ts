// Codex compresses idle rollouts to `.jsonl.zst`; Node 20's zlib has no zstd. fzstd is a small,
// dependency-free streaming decoder in plain JavaScript: nothing to compile or download, and it
// decodes block by block, so a compressed rollout is read with the same bounded memory as a plain one.
// It decodes on the main thread at about a fifth of the zstd program's speed (`npm run bench`,
// section zst); running the program per file instead was measured slower still on a corpus of
// typical rollouts, its start-up costing more than the decoding it saves.
import { createReadStream } from 'node:fs';
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

/** The decompressed bytes of a `.zst` file, streamed. */
export function openZstdFile(file: string): NodeJS.ReadableStream {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const decoder = createZstdDecompress();
  // pipe() does not forward a source error; without this a failed read would hang the consumer.
  raw.on('error', (error) => decoder.destroy(error));
  return raw.pipe(decoder);
}

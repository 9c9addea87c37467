// Codex compresses idle rollouts to `.jsonl.zst`; Node 20's zlib has no zstd. fzstd is a small,
// dependency-free streaming decoder in plain JavaScript: nothing to compile or download, and it
// decodes block by block, so a compressed rollout is read with the same bounded memory as a plain one.
// It decodes on the main thread at a fraction of the zstd CLI's speed, so a large file is decoded
// by the `zstd` program when it is installed (a child process: another core, in parallel with
// parsing). Starting a process costs more than fzstd needs for a typical rollout, so small files
// stay with fzstd (measured in `npm run bench`, section zst). HARNESS_LOOP_ZSTD=js forces fzstd,
// HARNESS_LOOP_ZSTD=cli the program for every file.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
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

let zstdCli: boolean | undefined;

/** Whether a working `zstd` program is on PATH (checked once per process). */
export function hasZstdCli(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.HARNESS_LOOP_ZSTD === 'js') return false;
  zstdCli ??= spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
  return zstdCli;
}

/** Compressed size from which the zstd program pays for its start-up. */
const CLI_MIN_BYTES = 4 << 20;

function useCli(file: string): boolean {
  if (!hasZstdCli()) return false;
  if (process.env.HARNESS_LOOP_ZSTD === 'cli') return true;
  try {
    return statSync(file).size >= CLI_MIN_BYTES;
  } catch {
    return false; // the read reports the missing file
  }
}

/** The decompressed bytes of a `.zst` file: large ones through the zstd program when there is one, else fzstd. */
export function openZstdFile(file: string): NodeJS.ReadableStream {
  if (!useCli(file)) {
    const raw = createReadStream(file, { highWaterMark: 1 << 20 });
    const decoder = createZstdDecompress();
    raw.on('error', (error) => decoder.destroy(error));
    return raw.pipe(decoder);
  }
  // `--` so a file name can never be taken for an option; no shell is involved.
  const child = spawn('zstd', ['-dcq', '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.pipe(out, { end: false });
  let exited: number | null | undefined;
  let drained = false;
  const finish = () => {
    if (exited === undefined || !drained) return;
    if (exited === 0) out.end();
    else out.destroy(new Error(`bad zstd data: ${stderr.trim().split('\n').pop() || `zstd exited with ${exited}`}`));
  };
  child.stdout.on('end', () => {
    drained = true;
    finish();
  });
  child.on('close', (code) => {
    exited = code;
    finish();
  });
  child.on('error', (error) => out.destroy(error));
  // A consumer that stops early (--last) must not leave the child running.
  out.on('close', () => {
    if (exited === undefined) child.kill();
  });
  return out;
}

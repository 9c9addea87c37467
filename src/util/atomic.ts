import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/** A temp path beside `file`, so the final rename never crosses a filesystem. */
export function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `file` whole or not at all: temp file, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * A streaming writer whose output appears at `file` only on `commit()`.
 * `abort()` (or a crash) leaves the previous `file` untouched.
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private stream: WriteStream | undefined;

  constructor(readonly file: string) {
    this.tmp = tempPathFor(file);
  }

  async open(): Promise<this> {
    await mkdir(dirname(this.file), { recursive: true });
    this.stream = createWriteStream(this.tmp, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      this.stream!.once('open', () => resolve());
      this.stream!.once('error', reject);
    });
    return this;
  }

  /** Writes a chunk, waiting when the stream asks for backpressure. */
  async write(chunk: string): Promise<void> {
    const stream = this.stream!;
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  }

  async commit(): Promise<void> {
    const stream = this.stream!;
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const handle = await open(this.tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.tmp, this.file);
  }

  async abort(): Promise<void> {
    this.stream?.destroy();
    await rm(this.tmp, { force: true });
  }
}

/**
 * Appends whole lines with one O_APPEND write each, so concurrent writers never interleave
 * inside a line and a kill leaves at most a missing line, never a torn one in the middle.
 */
export async function appendLines(file: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, 'a');
  try {
    await handle.write(lines.map((l) => `${l}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes JSON with a trailing newline, atomically. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export { writeFile };

// Bad input through the ingest stage: nothing crashes, every unusable line is reported as
// file:line: reason, and the store is written whole or not at all.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { codexExecReader } from '../../../src/ingest/codex-exec.js';
import { ingest, type IngestOptions } from '../../../src/ingest/ingest.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { TraceSchema } from '../../../src/schema/trace.js';
import { runCli } from '../../support/cli.js';

const ROLLOUT = 'test/fixtures/codex-exec/rollout.base.jsonl';
const EXEC = 'test/fixtures/codex-exec/exec.base.jsonl';
const THREAD = '01a20f59-f305-7e31-9c64-0113b2a3c47d';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-bad-input-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const run = (paths: string[], extra: Partial<IngestOptions> = {}) =>
  ingest({ workspace: join(dir, 'ws'), paths, from: 'auto', allRepos: true, config: ConfigSchema.parse({}), ...extra });

const storeFile = () => join(dir, 'ws', '.harness-loop', 'traces', 'traces.jsonl');
const rolloutLines = async () => (await readFile(ROLLOUT, 'utf8')).split('\n').filter((l) => l !== '');

async function writeLines(name: string, lines: string[], trailingNewline = true): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, lines.join('\n') + (trailingNewline ? '\n' : ''));
  return file;
}

/** Deterministic bytes, so a failure can be reproduced. */
function pseudoRandomBytes(length: number, seed = 42): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('ingest on bad lines inside a rollout', () => {
  it('skips a malformed JSON line, naming file and line, and keeps the trace', async () => {
    const lines = await rolloutLines();
    const file = await writeLines('malformed.jsonl', [
      ...lines.slice(0, 3),
      '{"timestamp":"2026-11-24T20:58:02.933Z","type":"event_msg",payload}',
      ...lines.slice(3),
    ]);
    const result = await run([file]);
    expect(result.skipped).toEqual([{ file, line: 4, reason: 'malformed JSON (truncated line?)' }]);
    expect(result.traces).toBe(1);
    const stored = TraceSchema.parse(JSON.parse(await readFile(storeFile(), 'utf8')));
    expect(stored.finalAnswer).toBe('All done: ran the shell command and created hello.txt.');
  });

  it('skips a truncated last line (a session still being written) and keeps what came before', async () => {
    const lines = await rolloutLines();
    const last = lines.at(-1)!;
    const file = await writeLines('truncated.jsonl', [...lines.slice(0, -1), last.slice(0, 60)], false);
    const result = await run([file]);
    expect(result.skipped).toEqual([{ file, line: lines.length, reason: 'malformed JSON (truncated line?)' }]);
    expect(result.traces).toBe(1);
    const stored = TraceSchema.parse(JSON.parse(await readFile(storeFile(), 'utf8')));
    // task_complete was on the cut line, so the turn has no duration, but the rest is there.
    expect(stored.spans.find((s) => s.kind === 'turn')!.durationMs).toBeNull();
    expect(stored.spans.find((s) => s.id === 'call_shell_1')!.exitCode).toBe(0);
  });

  it('skips unknown record types and records with missing fields, with a reason each', async () => {
    const lines = await rolloutLines();
    const file = await writeLines('odd.jsonl', [
      ...lines.slice(0, 2),
      '{"timestamp":"2026-11-24T20:58:03.000Z","type":"mystery_record","payload":{}}',
      '{"timestamp":"2026-11-24T20:58:03.000Z","type":"event_msg"}',
      '{"timestamp":"2026-11-24T20:58:03.000Z","payload":{"type":"task_started"}}',
      '{"timestamp":"2026-11-24T20:58:03.000Z","type":"response_item","payload":{"type":"function_call","name":"exec_command","arguments":"{}"}}',
      '{"timestamp":"2026-11-24T20:58:03.000Z","type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution"}}}',
      '"just a string"',
      ...lines.slice(2),
    ]);
    const result = await run([file]);
    expect(result.skipped.map((s) => `${s.line}: ${s.reason}`)).toEqual([
      '3: unknown record type "mystery_record"',
      '4: missing field "payload"',
      '5: missing field "type"',
      '6: function_call without "call_id"',
      '7: CommandExecution without "id"',
      '8: not a JSON object',
    ]);
    expect(result.skipped.every((s) => s.file === file)).toBe(true);
    expect(result.traces).toBe(1);
  });

  it('skips a 40 MB line with a "bytes is over" reason without crashing, and reads the lines after it', async () => {
    const lines = await rolloutLines();
    const file = join(dir, 'huge-line.jsonl');
    // Written in 1 MB chunks so the test itself never holds the line.
    const out = createWriteStream(file);
    out.write(`${lines[0]}\n`);
    out.write('{"timestamp":"2026-11-24T20:58:02.950Z","type":"event_msg","payload":{"type":"user_message","message":"');
    const chunk = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 40; i++) if (!out.write(chunk)) await once(out, 'drain');
    out.write('"}}\n');
    out.write(`${lines.slice(1).join('\n')}\n`);
    out.end();
    await once(out, 'finish');

    const result = await run([file]);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]).toMatchObject({ file, line: 2 });
    expect(result.skipped[0]!.reason).toMatch(/^line of \d+ bytes is over the 33554432-byte limit$/);
    expect(result.traces).toBe(1);
    const stored = TraceSchema.parse(JSON.parse(await readFile(storeFile(), 'utf8')));
    expect(stored.usage.totalTokens).toBe(3666);
  });

  it('honours a lower --max-line-bytes', async () => {
    const result = await run([ROLLOUT], { maxLineBytes: 10_000 });
    const lines = await rolloutLines();
    const long = lines.flatMap((l, i) => (Buffer.byteLength(l) > 10_000 ? [i + 1] : []));
    expect(long).toContain(1);
    expect(result.skipped.filter((s) => s.reason.endsWith('bytes is over the 10000-byte limit')).map((s) => s.line)).toEqual(long);
    // session_meta (22 KB) was the long line, so nothing names the session and no trace is made.
    expect(result.skipped.at(-1)).toEqual({ file: ROLLOUT.replace(/^/, `${process.cwd()}/`), line: 1, reason: 'no session_meta record: not a usable rollout' });
    expect(result.traces).toBe(0);
  });
});

describe('ingest on files that are not traces at all', () => {
  it('skips a file of random bytes as an unrecognised format', async () => {
    const file = join(dir, 'garbage.jsonl');
    await writeFile(file, pseudoRandomBytes(256 * 1024));
    const result = await run([file]);
    expect(result.skipped).toEqual([{ file, line: 1, reason: 'format not recognised (use --from to name it)' }]);
    expect(result.traces).toBe(0);
    expect(result.store.total).toBe(0);
  });

  it('reports random bytes forced through a reader as binary lines, not a crash', async () => {
    const file = join(dir, 'garbage.jsonl');
    await writeFile(file, pseudoRandomBytes(64 * 1024, 7));
    for (const from of ['rollout', 'exec', 'agents']) {
      const result = await run([file], { from });
      expect(result.traces).toBe(0);
      expect(result.skipped.length).toBeGreaterThan(0);
      for (const s of result.skipped) {
        expect(s.file).toBe(file);
        expect(s.line).toBeGreaterThan(0);
        expect(s.reason).toMatch(
          /^(binary data, not JSON|malformed JSON \(truncated line\?\)|not a JSON object|missing field "type"|no session_meta record: not a usable rollout|not an Agents SDK span)/,
        );
      }
      expect(result.skipped.some((s) => s.reason === 'binary data, not JSON')).toBe(true);
    }
  });

  it('skips an empty file and still reads the others', async () => {
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    const result = await run([empty, ROLLOUT]);
    expect(result.skipped).toEqual([{ file: empty, line: 0, reason: 'empty file' }]);
    expect(result.traces).toBe(1);
  });

  it('throws an InputError (exit 2) for a path that does not exist, before writing anything', async () => {
    const missing = join(dir, 'no-such-file.jsonl');
    const error = await run([ROLLOUT, missing]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ exitCode: 2, code: 'input.missing', message: `${missing}: no such file or directory` });
    await expect(readFile(storeFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('ingest --strict through the CLI', () => {
  it('exits 2 and lists the skipped lines as file:line: reason when any line is skipped', async () => {
    const lines = await rolloutLines();
    const file = await writeLines('one-bad-line.jsonl', [...lines.slice(0, 5), '{not json', ...lines.slice(5)]);
    const ws = join(dir, 'ws');
    await mkdir(ws);
    const strict = await runCli(['ingest', '--strict', '--all-repos', '-C', ws, file]);
    expect(strict.exitCode).toBe(2);
    expect(strict.stderr).toContain(`${file}:6: malformed JSON (truncated line?)\n`);
    expect(strict.stderr).toMatch(/^\S+:\d+: /m);
    expect(strict.stderr).toContain('--strict');

    const lenient = await runCli(['ingest', '--all-repos', '-C', ws, file]);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stderr).toContain(`${file}:6: malformed JSON (truncated line?)\n`);
    expect(lenient.stdout).toContain('1 skipped line(s)');
  });

  it('exits 0 with --strict when nothing is skipped', async () => {
    const ws = join(dir, 'ws');
    await mkdir(ws);
    const r = await runCli(['ingest', '--strict', '--all-repos', '-C', ws, ROLLOUT]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('the trace store under repeated and failed ingests', () => {
  const inputs = [ROLLOUT, EXEC, 'test/fixtures/agents-sdk', 'test/fixtures/rollout'];

  it('is byte-identical after ingesting the same files twice', async () => {
    const first = await run(inputs);
    const before = await readFile(storeFile());
    const second = await run(inputs);
    const after = await readFile(storeFile());
    expect(after.equals(before)).toBe(true);
    expect(second.store).toMatchObject({ added: 0, updated: 0, unchanged: first.store.total, total: first.store.total });
    // rollout.base and exec.base are the same session: one trace, from the richer source.
    const ids = before
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.filter((id) => id === THREAD)).toHaveLength(1);
  });

  it('is unchanged, with no temp files left, when a reader throws midway', async () => {
    await run([ROLLOUT]);
    const traceDir = join(dir, 'ws', '.harness-loop', 'traces');
    const before = await readFile(storeFile());
    const listing = await readdir(traceDir);

    // A reader that yields one trace, then fails (a bug, or a disk error while reading).
    const original = codexExecReader.read.bind(codexExecReader);
    vi.spyOn(codexExecReader, 'read').mockImplementation(async function* (files, ctx) {
      for await (const trace of original(files, ctx)) {
        yield trace;
        break;
      }
      throw new Error('reader exploded midway');
    });
    const copy = join(dir, 'other.jsonl');
    await copyFile('test/fixtures/codex-exec/exec.mcp.jsonl', copy);
    await expect(run(['test/fixtures/rollout/shell-fail.jsonl', copy, 'test/fixtures/codex-exec/exec.error.jsonl'])).rejects.toThrow('reader exploded midway');

    expect((await readFile(storeFile())).equals(before)).toBe(true);
    expect(await readdir(traceDir)).toEqual(listing);
  });
});

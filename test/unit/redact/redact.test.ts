import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../../src/ingest/ingest.js';
import { Redactor } from '../../../src/redact/redact.js';
import { ConfigSchema } from '../../../src/schema/config.js';

// Fake secrets are assembled at run time so no secret-shaped literal sits in the repository
// (push protection and secret scanners would flag them).
const join2 = (...parts: string[]) => parts.join('');
const FAKE = {
  openai: join2('sk-', 'abcdefghij0123456789ABCDEFGHIJ'),
  openaiProject: join2('sk-', 'proj-', 'Zyxwvutsrq9876543210_-abcdefghij'),
  anthropic: join2('sk-', 'ant-', 'api03-', 'abcdefghijklmnopqrstuvwxyz012345'),
  github: join2('gh', 'p_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'),
  githubPat: join2('github', '_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'),
  aws: join2('AK', 'IA', 'IOSFODNN7EXAMPLE'),
  slack: join2('xo', 'xb-', '1234567890-0987654321-abcdefGHIJKL'),
  google: join2('AI', 'za', 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'),
  bearer: join2('eyJhbGciOiJIUzI1NiJ9', '.eyJzdWIiOiIxIn0', '.c2lnbmF0dXJl'),
  pemBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZH\n',
  password: 'hunter2-correct-horse',
};
const pem = (label = '') => `-----BEGIN ${label}PRIVATE KEY-----\n${FAKE.pemBody}-----END ${label}PRIVATE KEY-----`;

describe('Redactor.redactString', () => {
  const r = new Redactor();

  it.each([
    ['openai-key', `key is ${FAKE.openai} ok`, FAKE.openai],
    ['openai-key', `project key ${FAKE.openaiProject}`, FAKE.openaiProject],
    ['anthropic-key', `ANTHROPIC ${FAKE.anthropic}`, FAKE.anthropic],
    ['github-token', `remote https://github.com with ${FAKE.github}`, FAKE.github],
    ['github-token', `token ${FAKE.githubPat} here`, FAKE.githubPat],
    ['aws-access-key', `aws id ${FAKE.aws} used`, FAKE.aws],
    ['slack-token', `slack ${FAKE.slack}`, FAKE.slack],
    ['google-api-key', `maps ${FAKE.google}`, FAKE.google],
    ['bearer-token', `curl -H "Authorization: Bearer ${FAKE.bearer}" https://api`, FAKE.bearer],
    ['private-key', `key file:\n${pem()}\nend`, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'],
    ['private-key', `rsa:\n${pem('RSA ')}`, 'VJTUt9Us8cKjMzEfYyjiWA4R4'],
    ['url-credentials', `git clone https://deploy:${FAKE.password}@git.example.com/repo.git`, FAKE.password],
    ['url-credentials', `REDIS_URL=redis://:${FAKE.password}@cache:6379/0`, FAKE.password],
    ['url-credentials', 'git clone https://9f8e7d6c5b4a39281706f5e4d3c2b1a0@git.example.com/team/app.git', '9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    ['url-credentials', 'remote: https://glpat-Xy7z8W9v0U1t2S3r4Q5p@gitlab.example.com/g/p', 'glpat-Xy7z8W9v0U1t2S3r4Q5p'],
  ])('redacts a %s and names its kind', (kind, text, secret) => {
    const out = r.redactString(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(`[REDACTED:${kind}]`);
  });

  it('keeps the scheme and host around a token given as the whole userinfo', () => {
    expect(r.redactString('https://9f8e7d6c5b4a39281706f5e4d3c2b1a0@git.example.com/x.git')).toBe('https://[REDACTED:url-credentials]@git.example.com/x.git');
  });

  it('keeps the scheme and user of a URL with credentials, and the host after them', () => {
    expect(r.redactString(`postgres://admin:${FAKE.password}@db.internal:5432/app`)).toBe('postgres://admin:[REDACTED:url-credentials]@db.internal:5432/app');
  });

  it('keeps the Bearer keyword and the header name', () => {
    expect(r.redactString(`Authorization: Bearer ${FAKE.bearer}`)).toBe('Authorization: Bearer [REDACTED:bearer-token]');
  });

  it('names a key by its own kind inside NAME=value, not as a generic value', () => {
    expect(r.redactString(`OPENAI_API_KEY=${FAKE.openai}`)).toBe('OPENAI_API_KEY=[REDACTED:openai-key]');
  });

  it('redacts a private key whose END line was cut off', () => {
    const out = r.redactString(`-----BEGIN OPENSSH PRIVATE KEY-----\n${FAKE.pemBody}`);
    expect(out).toBe('[REDACTED:private-key]');
  });

  it('redacts a private key inside an escaped JSON string (literal \\n)', () => {
    const escaped = JSON.stringify({ content: pem() });
    const out = r.redactString(escaped);
    expect(out).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7');
    expect(out).toBe('{"content":"[REDACTED:private-key]"}');
  });

  it.each([
    ['API_KEY=abc123secretvalue', 'API_KEY=[REDACTED:secret-value]'],
    ['export DB_PASSWORD="hunter2-correct-horse"', 'export DB_PASSWORD="[REDACTED:secret-value]"'],
    ['GITHUB_TOKEN=abcdef123456 make release', 'GITHUB_TOKEN=[REDACTED:secret-value] make release'],
    ['client_secret: s3cr3t-value', 'client_secret: [REDACTED:secret-value]'],
    ["api_key: 'yaml-single-quoted'", "api_key: '[REDACTED:secret-value]'"],
    ['https://x.test/cb?access_token=abcdef123&state=1', 'https://x.test/cb?access_token=[REDACTED:secret-value]&state=1'],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[REDACTED:secret-value]'],
  ])('redacts the value of %s', (text, expected) => {
    expect(r.redactString(text)).toBe(expected);
  });

  it.each([
    ['{"password": "hunter2-correct-horse", "user": "ann"}', '{"password": "[REDACTED:secret-value]", "user": "ann"}'],
    ['{"api_key":"abc-123-def"}', '{"api_key":"[REDACTED:secret-value]"}'],
    ["config = {'secret': 'py-literal'}", "config = {'secret': '[REDACTED:secret-value]'}"],
    ['"{\\"password\\": \\"in-escaped-json\\"}"', '"{\\"password\\": \\"[REDACTED:secret-value]\\"}"'],
  ])('redacts a quoted JSON/YAML/Python secret field in %s', (text, expected) => {
    expect(r.redactString(text)).toBe(expected);
  });

  it.each([
    'max_tokens=100',
    'inputTokens: 3600',
    'the tokenizer splits words',
    'tokenizer=cl100k_base',
    'token_count: 12',
    'total_tokens=3666',
    'token_type: bearer',
    'Please add a password field to the form.',
    'https://example.com:8080/path@v2',
    'ssh://git@github.com/org/repo.git',
    'https://deploy@git.example.com/repo.git',
    'mailto://someone.with.a.long.name@example.com',
    'see -----BEGIN PUBLIC KEY----- for the format',
    'sk-learn is a library',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(r.redactString(text)).toBe(text);
  });

  it('does not redact twice or nest markers', () => {
    const once = r.redactString(`API_KEY=${FAKE.openai} password: "${FAKE.password}"`);
    expect(r.redactString(once)).toBe(once);
    expect(once).not.toMatch(/\[REDACTED:[^\]]*\[REDACTED/);
  });

  it('runs over 1 MB adversarial strings (no catastrophic backtracking)', () => {
    const mb = 1 << 20;
    const inputs = [
      'a'.repeat(mb),
      'key='.repeat(mb / 4),
      'api_key='.repeat(mb / 8),
      `${'a-'.repeat(mb / 2)} token`,
      `${'a.'.repeat(mb / 2)} ://x:y`,
      '-----BEGIN PRIVATE KEY-----'.repeat(mb / 27),
      '"password": "'.repeat(mb / 13),
      `http://${'u'.repeat(mb)}`,
    ];
    for (const input of inputs) expect(typeof r.redactString(input)).toBe('string');
    expect(r.redactString('key='.repeat(1000))).toBe('key='.repeat(1000));
  });
});

describe('Redactor.redact (nested values)', () => {
  it('redacts secrets at any depth, and whole values of fields named like secrets', () => {
    const r = new Redactor();
    const input = {
      spans: [
        {
          input: { cmd: `curl -H "Authorization: Bearer ${FAKE.bearer}"`, env: { OPENAI_API_KEY: FAKE.openai } },
          output: [`token ${FAKE.github}`, { nested: { deeper: `aws ${FAKE.aws}` } }],
          attributes: { password: 'plain words', passwords: ['one-secret', 'two-secret'], inputTokens: 3600, tokenizer: 'o200k_base' },
        },
      ],
    };
    const out = r.redact(input);
    const text = JSON.stringify(out);
    for (const secret of [FAKE.bearer, FAKE.openai, FAKE.github, FAKE.aws, 'plain words', 'one-secret', 'two-secret']) expect(text).not.toContain(secret);
    expect(out.spans[0]!.attributes.inputTokens).toBe(3600);
    expect(out.spans[0]!.attributes.tokenizer).toBe('o200k_base');
    expect(out.spans[0]!.attributes.password).toBe('[REDACTED:secret-value]');
    expect(out.spans[0]!.input.env.OPENAI_API_KEY).toBe('[REDACTED:openai-key]');
  });

  it('returns a copy and leaves the input untouched', () => {
    const input = { a: `x ${FAKE.openai}` };
    new Redactor().redact(input);
    expect(input.a).toBe(`x ${FAKE.openai}`);
  });

  it('applies extra patterns from the config, with their own kind', () => {
    const config = ConfigSchema.parse({
      redaction: {
        extraPatterns: [
          { name: 'internal-token', pattern: 'itk_[a-z0-9]{8,}' },
          { name: 'employee-id', pattern: 'emp-\\d{6}', flags: 'i' },
        ],
      },
    });
    const r = new Redactor(config.redaction.extraPatterns);
    expect(r.redactString('use itk_abcdef123456 for EMP-123456')).toBe('use [REDACTED:internal-token] for [REDACTED:employee-id]');
    // Without the extra patterns the same text is left alone.
    expect(new Redactor().redactString('use itk_abcdef123456 for EMP-123456')).toBe('use itk_abcdef123456 for EMP-123456');
  });

  it('ignores empty matches of an extra pattern instead of marking every character', () => {
    const r = new Redactor([{ name: 'maybe', pattern: 'z*' }]);
    expect(r.redactString('abc zz def')).toBe('abc [REDACTED:maybe] def');
  });
});

describe('redaction during ingest', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('stores a real rollout with planted secrets without any of them, marked by kind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'harness-redact-'));
    const original = await readFile('test/fixtures/codex-exec/rollout.base.jsonl', 'utf8');
    const planted = original
      .split('\n')
      .map((line) => {
        if (line.includes('"type":"function_call_output"') && line.includes('call_shell_1')) {
          // Secrets in the shell output the model saw.
          return line.replace('hello-from-mock\\n', `hello-from-mock\\nOPENAI_API_KEY=${FAKE.openai}\\nAWS=${FAKE.aws}\\n${pem().replace(/\n/g, '\\n')}\\n`);
        }
        if (line.includes('"type":"CommandExecution"')) {
          return line.replace('"aggregated_output":"hello-from-mock', `"aggregated_output":"DATABASE_URL=postgres://app:${FAKE.password}@db/x hello-from-mock`);
        }
        if (line.includes('"type":"function_call"') && line.includes('exec_command')) {
          return line.replace(
            'echo hello-from-mock',
            `curl -H 'Authorization: Bearer ${FAKE.bearer}' -d '{\\\\\\"api_key\\\\\\": \\\\\\"${FAKE.password}\\\\\\"}'`,
          );
        }
        if (line.includes('"role":"user"') && line.includes('Please use $repo-agents-skill')) {
          return line.replace('then create a file', `then create a file (my token is ${FAKE.github}, slack ${FAKE.slack})`);
        }
        return line;
      })
      .join('\n');
    expect(planted).not.toBe(original);
    for (const line of planted.split('\n')) if (line) JSON.parse(line);
    const file = join(dir, 'rollout-2026-11-24T20-58-02-01a20f59-f305-7e31-9c64-0113b2a3c47d.jsonl');
    await writeFile(file, planted);

    const result = await ingest({ workspace: dir, paths: [file], from: 'auto', allRepos: true, config: ConfigSchema.parse({}) });
    expect(result.traces).toBe(1);
    expect(result.skipped).toEqual([]);
    const stored = await readFile(result.storeFile, 'utf8');
    for (const secret of [FAKE.openai, FAKE.aws, FAKE.password, FAKE.bearer, FAKE.github, FAKE.slack, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7']) {
      expect(stored).not.toContain(secret);
    }
    for (const kind of ['openai-key', 'aws-access-key', 'private-key', 'url-credentials', 'bearer-token', 'secret-value', 'github-token', 'slack-token']) {
      expect(stored).toContain(`[REDACTED:${kind}]`);
    }
    // Counts and ordinary content survive.
    const trace = JSON.parse(stored.trim()) as { usage: { inputTokens: number; totalTokens: number }; finalAnswer: string };
    expect(trace.usage).toMatchObject({ inputTokens: 3600, totalTokens: 3666 });
    expect(trace.finalAnswer).toBe('All done: ran the shell command and created hello.txt.');
  });
});

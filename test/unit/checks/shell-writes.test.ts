import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { literalText, parseShell, ShellParseError } from '../../../src/checks/shell-parse.js';
import { analyzeShell } from '../../../src/checks/shell-writes.js';
import { makeRepo, type FixtureRepo } from './fixture-repo.js';

let repo: FixtureRepo;
beforeAll(() => {
  repo = makeRepo({ 'src/a.ts': '', 'src/b.ts': '', 'src/.hidden.ts': '', 'docs/x.md': '' });
});
afterAll(() => repo.remove());

const analyze = (command: string) => analyzeShell(command, { cwd: repo.root, home: '/home/u' });
const paths = (command: string) => analyze(command).writes.map((w) => w.path.replace(repo.root, '<repo>'));

describe('parseShell', () => {
  const names = (src: string) => parseShell(src).commands.map((c) => (c.kind === 'simple' ? literalText(c.words[0]!) : '(subshell)'));

  it('splits lists on newlines, ;, &&, || and pipes', () => {
    expect(names('ls\nrm x; a && b || c | d & e')).toEqual(['ls', 'rm', 'a', 'b', 'c', 'd', 'e']);
  });

  it('keeps quoted metacharacters inside one word', () => {
    const cmd = parseShell(`echo "a > b; c" 'd | e' f\\ g`).commands[0]!;
    expect(cmd.kind === 'simple' && cmd.words.map(literalText)).toEqual(['echo', 'a > b; c', 'd | e', 'f g']);
    expect(cmd.kind === 'simple' && cmd.redirects).toEqual([]);
  });

  it('reads here-doc bodies and knows whether the delimiter was quoted', () => {
    const cmd = parseShell("cat <<'EOF' > out\n$(not run)\nEOF\necho after").commands;
    expect(cmd).toHaveLength(2);
    const first = cmd[0]!;
    expect(first.kind === 'simple' && first.redirects.map((r) => [r.op, r.heredoc?.body, r.heredoc?.quoted])).toEqual([
      ['<<', '$(not run)\n', true],
      ['>', undefined, undefined],
    ]);
  });

  it('parses commands inside $(…), backticks and process substitution', () => {
    const cmd = parseShell('echo $(rm a) `rm b` <(rm c)').commands[0]!;
    const substs = cmd.kind === 'simple' ? cmd.words.flatMap((w) => w.parts.filter((p) => p.kind === 'subst')) : [];
    expect(substs).toHaveLength(3);
  });

  it.each(['echo "open', "echo 'open", 'echo $(ls', 'echo `ls', 'cat > ', 'echo )'])('refuses %j', (src) => {
    expect(() => parseShell(src)).toThrow(ShellParseError);
  });
});

describe('analyzeShell', () => {
  it('finds redirection targets, not redirections of descriptors', () => {
    expect(analyze('echo x > a 2>&1 >> b &> c 2>/dev/null 3>&-')).toEqual({
      writes: [
        { path: `${repo.root}/a`, via: 'redirection >', op: 'write', subtree: false },
        { path: `${repo.root}/b`, via: 'redirection >>', op: 'write', subtree: false },
        { path: `${repo.root}/c`, via: 'redirection &>', op: 'write', subtree: false },
        { path: '/dev/null', via: 'redirection 2>', op: 'write', subtree: false },
      ],
      unknown: [],
      executes: [],
    });
  });

  it('expands globs against the disk (hidden files only when asked) and braces', () => {
    expect(paths('rm src/*.ts')).toEqual(['<repo>/src/a.ts', '<repo>/src/b.ts']);
    expect(paths('rm src/.*.ts')).toEqual(['<repo>/src/.hidden.ts']);
    expect(paths('touch docs/{one,two}.md')).toEqual(['<repo>/docs/one.md', '<repo>/docs/two.md']);
    expect(paths("rm 'src/*.ts'")).toEqual(['<repo>/src/*.ts']);
  });

  it('follows variables it saw assigned, and only those', () => {
    expect(paths('D=docs; F="$D/x.md"; echo > $F')).toEqual(['<repo>/docs/x.md']);
    expect(analyze('echo > "$F"').unknown).toEqual(['redirection > writes to "$F", which the guard cannot resolve: $F is not known to the guard']);
    expect(analyze('X=$(pwd); echo > $X/y').unknown).toHaveLength(1);
  });

  it('tracks cd, pushd/popd and subshell scope', () => {
    expect(paths('cd src && touch a.ts; (cd ../docs; touch x.md); touch b.ts')).toEqual(['<repo>/src/a.ts', '<repo>/docs/x.md', '<repo>/src/b.ts']);
    expect(paths('pushd docs; popd; touch top')).toEqual(['<repo>/top']);
    expect(paths('cd ~ && touch f')).toEqual(['/home/u/f']);
  });

  it('looks through wrappers and shells', () => {
    expect(paths("env A=1 nice -n 5 timeout 3 bash -c 'touch w'")).toEqual(['<repo>/w']);
    expect(paths('xargs -0 grep foo')).toEqual([]);
    expect(analyze('find . -name x -delete').writes).toEqual([{ path: repo.root, via: 'find -delete', op: 'delete', subtree: true }]);
  });

  it('reads apply_patch given through the shell', () => {
    const cmd = "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: docs/new.md\n+hi\n*** Delete File: docs/x.md\n*** End Patch\nEOF";
    expect(analyze(cmd).writes).toEqual([
      {
        path: `${repo.root}/docs/new.md`,
        via: 'apply_patch (add)',
        op: 'write',
        subtree: false,
        patch: expect.objectContaining({ source: `${repo.root}/docs/new.md` }),
      },
      {
        path: `${repo.root}/docs/x.md`,
        via: 'apply_patch (delete)',
        op: 'delete',
        subtree: false,
        patch: expect.objectContaining({ source: `${repo.root}/docs/x.md` }),
      },
    ]);
  });

  it('records where ln points', () => {
    expect(analyze('ln -s ../src docs/l').writes).toEqual([
      { path: `${repo.root}/docs/l`, via: 'ln -s', op: 'write', subtree: false, linkTo: `${repo.root}/src` },
    ]);
  });

  it('accepts reads and program runs as writing nothing', () => {
    for (const cmd of ['ls -la', 'cat a | grep b', 'npm test', 'python3 -m pytest', 'git log --oneline']) {
      expect(analyze(cmd), cmd).toEqual({ writes: [], unknown: [], executes: [] });
    }
  });

  it('records the files a command runs as programs', () => {
    const run = (cmd: string) => analyze(cmd).executes.map((x) => `${x.path.replace(repo.root, '<repo>')} (${x.via})`);
    expect(run('node scripts/x.js')).toEqual(['<repo>/scripts/x.js (node)']);
    expect(run('bash hooks/x.sh')).toEqual(['<repo>/hooks/x.sh (bash)']);
    expect(run('./hooks/x.sh --flag')).toEqual(['<repo>/hooks/x.sh (run as a program)']);
    expect(run('source hooks/env.sh && . ./more.sh')).toEqual(['<repo>/hooks/env.sh (source)', '<repo>/more.sh (.)']);
    expect(run('npx tsx scripts/y.ts')).toEqual(['<repo>/scripts/y.ts (tsx)']);
    expect(run('bash < hooks/x.sh')).toEqual(['<repo>/hooks/x.sh (bash < file)']);
    expect(run('python3 -m pytest && node -e "1"')).toEqual([]);
  });

  it('tells inline interpreter code that reads from code that writes', () => {
    expect(analyze(`python3 -c "print(open('a').read())"`).unknown).toEqual([]);
    expect(analyze(`python3 -c "open('a', 'a').write('x')"`).unknown).toHaveLength(1);
    expect(analyze(`node -e "process.stdout.write('hi')"`).unknown).toEqual([]);
    expect(analyze(`node -e "require('child_process').execSync('rm a')"`).unknown).toHaveLength(1);
  });
});

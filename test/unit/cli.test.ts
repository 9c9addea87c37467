import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli.js';
import { COMMANDS, findCommand, renderCommandHelp, renderMainHelp } from '../../src/commands/specs.js';

const feedback = findCommand('feedback')!;

describe('parseArgs', () => {
  it('collects a repeatable flag given several times, by name or alias, in order', () => {
    const args = parseArgs(feedback, ['critique', '-c', 'model_provider=mock', '--codex-config', 'a.b={x=1}']);
    expect(args.flags['codex-config']).toEqual(['model_provider=mock', 'a.b={x=1}']);
  });

  it('gives a repeatable flag given once as a one-item list', () => {
    expect(parseArgs(feedback, ['critique', '-c', 'model_provider=mock']).flags['codex-config']).toEqual(['model_provider=mock']);
  });

  it('still refuses other flags given twice', () => {
    expect(() => parseArgs(feedback, ['critique', '--model', 'a', '--model', 'b'])).toThrow('--model was given more than once');
  });
});

describe('help', () => {
  it('gives every command an example, shown in its --help', () => {
    for (const spec of COMMANDS) {
      expect(spec.example, spec.name).toMatch(/^harness-loop /);
      expect(renderCommandHelp(spec)).toContain(`Example:\n  ${spec.example}`);
    }
  });

  it('lists every command once at the top level, in loop order', () => {
    const help = renderMainHelp('1.0.0');
    for (const spec of COMMANDS) expect(help.match(new RegExp(`^  ${spec.name} `, 'gm')), spec.name).toHaveLength(1);
    const order = ['install', 'ingest', 'traces', 'feedback', 'evals', 'diagnose', 'handoff', 'cycle', 'verify', 'loop', 'report'].map((n) =>
      help.indexOf(`\n  ${n} `),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

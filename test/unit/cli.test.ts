import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli.js';
import { findCommand } from '../../src/commands/specs.js';

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

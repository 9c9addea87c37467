// Option parsing for the shell rules: getopt-style short clusters, `--long=value`, `--`.
import type { Arg } from './shell-words.js';

/** Whether a short-option cluster (`-pi.bak`, `-ni`) contains `letter` before a letter that takes a value. */
export function clusterHas(text: string | null, letter: string, valueLetters: string): boolean {
  if (text === null || !text.startsWith('-') || text.startsWith('--')) return false;
  for (const c of text.slice(1)) {
    if (c === letter) return true;
    if (valueLetters.includes(c)) return false;
  }
  return false;
}

/** Options parsed the getopt way: short clusters, `--long=value`, `--` ends options. */
export interface ParsedArgs {
  operands: Arg[];
  flags: Set<string>;
  values: Map<string, Arg[]>;
}

/**
 * Splits options from operands. `short` lists the short options that take a value; `long` the long
 * ones. `stopAtOperand` is for wrappers whose first operand starts the wrapped command.
 */
export function parseArgs(args: Arg[], short = '', long: string[] = [], stopAtOperand = false): ParsedArgs {
  const parsed: ParsedArgs = { operands: [], flags: new Set(), values: new Map() };
  const setValue = (key: string, value: Arg) => {
    parsed.flags.add(key);
    parsed.values.set(key, [...(parsed.values.get(key) ?? []), value]);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const text = arg.text;
    if (text === null || !text.startsWith('-') || text === '-') {
      if (stopAtOperand) {
        parsed.operands.push(...args.slice(i));
        return parsed;
      }
      parsed.operands.push(arg);
      continue;
    }
    if (text === '--') {
      parsed.operands.push(...args.slice(i + 1));
      return parsed;
    }
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const key = eq < 0 ? text : text.slice(0, eq);
      if (eq >= 0) setValue(key, { text: text.slice(eq + 1), raw: arg.raw });
      else if (long.includes(key) && i + 1 < args.length) setValue(key, args[++i]!);
      else parsed.flags.add(key);
      continue;
    }
    for (let j = 1; j < text.length; j++) {
      const c = text[j]!;
      if (short.includes(c)) {
        if (j + 1 < text.length) setValue(c, { text: text.slice(j + 1), raw: arg.raw });
        else if (i + 1 < args.length) setValue(c, args[++i]!);
        else parsed.flags.add(c);
        break;
      }
      parsed.flags.add(c);
    }
  }
  return parsed;
}

/** Whether any of `keys` was given. */
export const has = (p: ParsedArgs, ...keys: string[]) => keys.some((k) => p.flags.has(k));
/** The last value given for any of `keys`. */
export const value = (p: ParsedArgs, ...keys: string[]): Arg | undefined => keys.map((k) => p.values.get(k)?.at(-1)).find((v) => v !== undefined);
/** An argument whose text is known. */
export const lit = (text: string): Arg => ({ text, raw: text });

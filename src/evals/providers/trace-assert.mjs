// @ts-check
/**
 * Trace assertions shipped with harness-loop: deterministic checks over what the agent did, read
 * from the provider's response metadata (`agentTrace`, see trace-process.mjs). A suite names one
 * as a Promptfoo `javascript` assertion whose value is `file://providers/trace-assert.mjs:<check>`,
 * with the check's settings in the assertion's `config`:
 *
 *   - type: javascript
 *     value: file://providers/trace-assert.mjs:noFailedCommands
 *     config: { command: "bash scripts/flaky.sh" }
 *
 * Every failure reason names the offending call (its id and command or tool), so a failing test
 * says what to look at. Checks:
 *   noFailedCommands { command?, pattern? }   no shell command (or none matching) exited non-zero
 *   ranCommand { pattern, succeeded? }          some command matched (and exited 0 when succeeded)
 *   neverRanCommand { pattern, unless? }        no command matched (unless it also matches `unless`)
 *   readFile { path }                           the agent read the file (or wrote it)
 *   skillRead { skill }                         the skill's SKILL.md was read or injected
 *   noToolErrors { tool? }                      no tool call (or none of that tool) failed
 *   noMcpErrors { server? }                     no MCP call failed
 *   noHookBlocks { event?, match? }             no hook blocked a call or the end of a turn
 *   noErrors {}                                 no turn or stream error
 *   maxTokens { max }                           total tokens at most max
 *   maxDurationMs { max }                       the run took at most max milliseconds
 *
 * Node built-ins only: `evals build` copies this file into the suite's providers/ folder.
 */

import { unwrapShell } from './trace-process.mjs';

/** Reverses harness-loop's template protection (assertion config reaches us unrendered). @param {unknown} value @returns {any} */
function unprotect(value) {
  if (typeof value === 'string') {
    if (!value.includes('{{ "')) return value;
    const body = value.startsWith('{{ "" }}') ? value.slice('{{ "" }}'.length) : value;
    return body.replace(/\{\{ "([{#])" \}\}/g, '$1');
  }
  if (Array.isArray(value)) return value.map(unprotect);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unprotect(v)]));
  return value;
}

/**
 * @typedef {import('./trace-process.mjs').AgentTrace} AgentTrace
 * @typedef {{ pass: boolean, score: number, reason: string }} Result
 * @typedef {{ config?: Record<string, unknown>, providerResponse?: { metadata?: Record<string, unknown> } }} Context
 */

/** @param {boolean} pass @param {string} reason @returns {Result} */
function result(pass, reason) {
  return { pass, score: pass ? 1 : 0, reason };
}

/** @param {Context} context @returns {{ trace: AgentTrace | null, config: Record<string, any>, missing: Result }} */
function read(context) {
  const trace = /** @type {AgentTrace | undefined} */ (context?.providerResponse?.metadata?.agentTrace);
  return {
    trace: trace && typeof trace === 'object' ? trace : null,
    config: unprotect(context?.config ?? {}),
    // No record of the process: say so rather than pass; an old provider copy is the usual cause.
    missing: result(
      false,
      'the provider returned no agentTrace metadata, so the process cannot be checked (run harness-loop evals build to update the providers)',
    ),
  };
}

/** @param {string} text @param {number} [max] */
function q(text, max = 160) {
  const one = String(text).replace(/\s+/g, ' ').trim();
  return `\`${one.length <= max ? one : `${one.slice(0, max - 1)}…`}\``;
}

/** @param {unknown} source @returns {RegExp | null} */
function regex(source) {
  if (typeof source !== 'string' || source === '') return null;
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

/** @param {string} command */
function normalize(command) {
  return unwrapShell(command).replace(/\s+/g, ' ').trim();
}

/** Commands the check applies to: equal to `command`, matching `pattern`, or all. @param {AgentTrace} trace @param {Record<string, any>} config */
function commandsFor(trace, config) {
  const exact = typeof config.command === 'string' ? normalize(config.command) : null;
  const pattern = regex(config.pattern);
  return trace.toolCalls.filter(
    (c) => typeof c.command === 'string' && (exact === null || normalize(c.command) === exact) && (pattern === null || pattern.test(c.command)),
  );
}

/** @param {string} _output @param {Context} context */
export function noFailedCommands(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const failed = commandsFor(trace, config).filter((c) => typeof c.exitCode === 'number' && c.exitCode !== 0);
  if (failed.length === 0) return result(true, `no ${config.command || config.pattern ? 'matching ' : ''}command failed`);
  return result(false, failed.map((c) => `call ${c.id}: ${q(c.command ?? c.tool)} exited with code ${c.exitCode}`).join('; '));
}

/** @param {string} _output @param {Context} context */
export function ranCommand(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const pattern = regex(config.pattern);
  if (!pattern) return result(false, `ranCommand needs a valid regular expression in config.pattern (got ${JSON.stringify(config.pattern)})`);
  const runs = trace.toolCalls.filter((c) => typeof c.command === 'string' && pattern.test(c.command));
  if (runs.length === 0)
    return result(
      false,
      `no command matched /${pattern.source}/ (ran: ${
        trace.toolCalls
          .filter((c) => c.command)
          .map((c) => q(c.command ?? '', 60))
          .join(', ') || 'none'
      })`,
    );
  if (config.succeeded && !runs.some((c) => c.exitCode === 0)) {
    return result(
      false,
      `every run of /${pattern.source}/ failed: ${runs.map((c) => `call ${c.id} ${q(c.command ?? '')} exited ${c.exitCode ?? '?'}`).join('; ')}`,
    );
  }
  return result(true, `ran ${q(runs.at(-1)?.command ?? '')} (call ${runs.at(-1)?.id})`);
}

/** @param {string} _output @param {Context} context */
export function neverRanCommand(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const pattern = regex(config.pattern);
  if (!pattern) return result(false, `neverRanCommand needs a valid regular expression in config.pattern (got ${JSON.stringify(config.pattern)})`);
  const unless = regex(config.unless);
  const bad = trace.toolCalls.filter((c) => typeof c.command === 'string' && pattern.test(c.command) && !(unless && unless.test(c.command)));
  if (bad.length === 0) return result(true, `no command matched /${pattern.source}/`);
  return result(false, bad.map((c) => `call ${c.id} ran ${q(c.command ?? '')}, which matches /${pattern.source}/`).join('; '));
}

/** @param {string} path */
function pathKey(path) {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** @param {string} _output @param {Context} context */
export function readFile(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const want = typeof config.path === 'string' ? pathKey(config.path) : '';
  if (want === '') return result(false, 'readFile needs config.path');
  const hit = [...trace.filesRead, ...trace.filesWritten].find((p) => pathKey(p) === want || pathKey(p).endsWith(`/${want}`));
  if (hit) return result(true, `read ${q(hit)}`);
  return result(
    false,
    `never read ${q(want)} (read: ${
      trace.filesRead
        .slice(0, 10)
        .map((p) => q(p, 60))
        .join(', ') || 'nothing'
    })`,
  );
}

/** @param {string} _output @param {Context} context */
export function skillRead(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const skill = String(config.skill ?? '');
  if (trace.skillsRead.includes(skill)) return result(true, `skill ${q(skill)} was read`);
  return result(false, `skill ${q(skill)} was never read (read: ${trace.skillsRead.map((s) => q(s)).join(', ') || 'no skill'})`);
}

/** @param {string} _output @param {Context} context */
export function noToolErrors(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const tool = typeof config.tool === 'string' ? config.tool : null;
  // A non-zero exit is noFailedCommands' to judge; here: calls that failed to run or returned an error.
  const bad = trace.toolCalls.filter((c) => (tool === null || c.tool === tool) && c.status === 'error' && (typeof c.exitCode !== 'number' || c.exitCode === 0));
  if (bad.length === 0) return result(true, `no ${tool ? `${q(tool)} ` : ''}tool call failed`);
  return result(false, bad.map((c) => `call ${c.id} (${c.tool}${c.command ? ` ${q(c.command, 80)}` : ''}) failed: ${c.error ?? 'error'}`).join('; '));
}

/** @param {string} _output @param {Context} context */
export function noMcpErrors(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const bad = trace.mcpCalls.filter((c) => (typeof config.server !== 'string' || c.server === config.server) && c.status === 'error');
  if (bad.length === 0) return result(true, `no MCP call failed (${trace.mcpCalls.length} made)`);
  return result(false, bad.map((c) => `MCP call ${c.id} ${c.server}/${c.tool} failed: ${c.error ?? 'error'}`).join('; '));
}

/** @param {string} _output @param {Context} context */
export function noHookBlocks(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const match = typeof config.match === 'string' && config.match !== '' ? config.match : null;
  const bad = trace.hooks.filter(
    (h) => (match !== null ? h.message.includes(match) : h.blocked) && (typeof config.event !== 'string' || h.event === config.event),
  );
  if (bad.length === 0) return result(true, match ? `no hook message mentions ${q(match)}` : 'no hook blocked the agent');
  return result(false, bad.map((h) => `${h.event} hook ${h.blocked ? 'blocked' : 'reported'} at ${h.id}: ${q(h.message)}`).join('; '));
}

/** @param {string} _output @param {Context} context */
export function noErrors(_output, context) {
  const { trace, missing } = read(context);
  if (!trace) return missing;
  if (trace.errors.length === 0) return result(true, 'no error in the run');
  return result(false, trace.errors.map((e) => `error at ${e.id}: ${q(e.message)}`).join('; '));
}

/** @param {string} _output @param {Context} context */
export function maxTokens(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const max = Number(config.max);
  if (!Number.isFinite(max)) return result(false, 'maxTokens needs a number in config.max');
  return trace.tokens.total <= max
    ? result(true, `${trace.tokens.total} tokens ≤ ${max}`)
    : result(false, `the run used ${trace.tokens.total} tokens (input ${trace.tokens.input}, output ${trace.tokens.output}), more than ${max}`);
}

/** @param {string} _output @param {Context} context */
export function maxDurationMs(_output, context) {
  const { trace, config, missing } = read(context);
  if (!trace) return missing;
  const max = Number(config.max);
  if (!Number.isFinite(max)) return result(false, 'maxDurationMs needs a number in config.max');
  if (trace.durationMs === null) return result(false, 'the run has no recorded duration');
  return trace.durationMs <= max
    ? result(true, `${trace.durationMs} ms ≤ ${max} ms`)
    : result(false, `the run took ${trace.durationMs} ms, more than ${max} ms`);
}

// Codex rollouts for diagnosis fixtures, generated from the real lines of
// test/fixtures/rollout/shell-fail.jsonl (session, turn, shell call, answer) and
// test/fixtures/codex-exec/rollout.base.jsonl (apply_patch). Only ids, commands, outputs, exit codes,
// patch texts and messages are replaced; MCP items and error events follow the shapes the rollout
// reader documents (src/ingest/codex-rollout.ts). Everything generated here is constructed data.
import { readFileSync } from 'node:fs';

const SHELL = readFileSync('test/fixtures/rollout/shell-fail.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, any>);
const BASE = readFileSync('test/fixtures/codex-exec/rollout.base.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, any>);
const SHELL_THREAD = '01a20f5b-0001-7e31-9c64-0113b2a3c401';
const BASE_THREAD = '01a20f59-f305-7e31-9c64-0113b2a3c47d';

export type Step =
  | { shell: string; exitCode?: number; output?: string }
  | { patch: string; content: string }
  | { mcp: { server: string; tool: string; error: string } }
  | { error: string };

export interface SessionSpec {
  /** Thread id (a UUID-like string). */
  id: string;
  task: string;
  steps: Step[];
  answer: string;
  cwd?: string;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** One rollout file's text. */
export function generateRollout(spec: SessionSpec): string {
  const cwd = spec.cwd ?? '/home/user/repo';
  const swap = (line: Record<string, any>, from: string) =>
    JSON.parse(JSON.stringify(line).split(from).join(spec.id).split('/home/user/repo').join(cwd)) as Record<string, any>;
  const out: Record<string, any>[] = [swap(SHELL[0]!, SHELL_THREAD), swap(SHELL[1]!, SHELL_THREAD), swap(SHELL[2]!, SHELL_THREAD)];
  const user = swap(SHELL[3]!, SHELL_THREAD);
  user.payload.content[0].text = spec.task;
  out.push(user);
  spec.steps.forEach((step, i) => {
    const callId = `call_${i + 1}`;
    if ('shell' in step) {
      const exit = step.exitCode ?? 0;
      const call = swap(SHELL[4]!, SHELL_THREAD);
      call.payload.call_id = callId;
      call.payload.id = `fc_${callId}`;
      call.payload.arguments = JSON.stringify({ cmd: step.shell, yield_time_ms: 2000 });
      const item = swap(SHELL[6]!, SHELL_THREAD);
      Object.assign(item.payload.item, {
        id: callId,
        command: ['/bin/bash', '-lc', step.shell],
        parsed_cmd: [{ type: 'unknown', cmd: step.shell }],
        status: exit === 0 ? 'completed' : 'failed',
        aggregated_output: step.output ?? '',
        exit_code: exit,
      });
      const result = swap(SHELL[7]!, SHELL_THREAD);
      result.payload.call_id = callId;
      result.payload.output = `Chunk ID: cfafc5\nWall time: 0.0100 seconds\nProcess exited with code ${exit}\nOriginal token count: 9\nOutput:\n${step.output ?? ''}`;
      out.push(call, item, result);
    } else if ('patch' in step) {
      const patch = `*** Begin Patch\n*** Add File: ${step.patch}\n${step.content
        .split('\n')
        .map((l) => `+${l}`)
        .join('\n')}\n*** End Patch\n`;
      const call = swap(BASE[19]!, BASE_THREAD);
      Object.assign(call.payload, { call_id: callId, id: `ctc_${callId}`, input: patch });
      const item = swap(BASE[21]!, BASE_THREAD);
      Object.assign(item.payload.item, {
        id: callId,
        changes: { [`${cwd}/${step.patch}`]: { type: 'add', content: `${step.content}\n` } },
        stdout: `Success. Updated the following files:\nA ${step.patch}\n`,
      });
      const result = swap(BASE[22]!, BASE_THREAD);
      Object.assign(result.payload, {
        call_id: callId,
        output: `Exit code: 0\nWall time: 0 seconds\nOutput:\nSuccess. Updated the following files:\nA ${step.patch}\n`,
      });
      out.push(call, item, result);
    } else if ('mcp' in step) {
      const item = swap(SHELL[6]!, SHELL_THREAD);
      item.payload.item = {
        type: 'McpToolCall',
        id: callId,
        server: step.mcp.server,
        tool: step.mcp.tool,
        arguments: {},
        status: 'failed',
        error: step.mcp.error,
        result: null,
      };
      out.push(item);
    } else {
      const e = swap(SHELL[1]!, SHELL_THREAD);
      e.payload = { type: 'error', message: step.error };
      out.push(e);
    }
  });
  const msg = swap(SHELL[8]!, SHELL_THREAD);
  msg.payload.item.content[0].text = spec.answer;
  const answer = swap(SHELL[9]!, SHELL_THREAD);
  answer.payload.content[0].text = spec.answer;
  const done = swap(SHELL[12]!, SHELL_THREAD);
  done.payload.last_agent_message = spec.answer;
  out.push(msg, answer, swap(SHELL[10]!, SHELL_THREAD), swap(SHELL[11]!, SHELL_THREAD), done);
  return `${out.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

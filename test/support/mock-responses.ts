// A loopback stand-in for the OpenAI Responses API, so the real Codex binary runs offline.
// It is the only mock in the project: it replaces the model, never the code under test.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Item = Record<string, unknown>;

/** One scripted model step: a shell call, a patch, or the final answer. */
export type MockStep =
  | { shell: string }
  | { patch: string }
  /** Code mode: one `exec` cell of JavaScript calling `tools.exec_command` / `tools.apply_patch`. */
  | { code: string }
  /** An MCP tool call (`namespace` is `mcp__<server>`). */
  | { mcp: { server: string; tool: string; args: Record<string, unknown> } }
  /** Any other function call (e.g. `write_stdin`). */
  | { fn: { name: string; args: Record<string, unknown> } }
  /** Any output item, sent as given (namespaced function calls such as `collaboration.spawn_agent`). */
  | { item: Record<string, unknown> }
  | { answer: string }
  | { json: unknown }
  | { raw: string }
  | { fail: 'http500' | 'response.failed' };

/** Decides the next step from the request, so retries and resumes do not confuse it. */
export type MockPolicy = (request: { input: Item[]; model: string; stepIndex: number; reasoningEffort?: string }) => MockStep;

/** Plays steps in order, counting tool outputs since the latest user message. */
export function scriptedPolicy(steps: MockStep[]): MockPolicy {
  return ({ stepIndex }) => steps[Math.min(stepIndex, steps.length - 1)]!;
}

export interface RecordedRequest {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: { model?: string; input?: Item[]; text?: unknown; [k: string]: unknown };
}

export interface MockServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replace the policy between runs. */
  setPolicy(policy: MockPolicy): void;
  close(): Promise<void>;
}

/** How many model steps of the current turn are done: tool outputs after the last user message. */
export function stepIndexOf(input: Item[]): number {
  let lastUser = -1;
  input.forEach((item, i) => {
    if (item.type === 'message' && item.role === 'user') {
      const text = JSON.stringify(item.content ?? '');
      // Injected context (AGENTS.md, environment, skills) also arrives as user messages.
      if (!/^\[\{"type":"input_text","text":"(# AGENTS\.md|<environment_context>|<skill>|<user_instructions>)/.test(text)) lastUser = i;
    }
  });
  return input.slice(lastUser + 1).filter((i) => typeof i.type === 'string' && (i.type as string).endsWith('_call_output')).length;
}

function itemFor(step: MockStep, n: number): Item {
  if ('shell' in step)
    return {
      type: 'function_call',
      id: `fc_${n}`,
      call_id: `call_shell_${n}`,
      name: 'exec_command',
      arguments: JSON.stringify({ cmd: step.shell, yield_time_ms: 2000 }),
    };
  if ('patch' in step) return { type: 'custom_tool_call', id: `ctc_${n}`, call_id: `call_patch_${n}`, name: 'apply_patch', input: step.patch };
  if ('fn' in step) return { type: 'function_call', id: `fc_${n}`, call_id: `call_fn_${n}`, name: step.fn.name, arguments: JSON.stringify(step.fn.args) };
  if ('mcp' in step)
    return {
      type: 'function_call',
      id: `fc_${n}`,
      call_id: `call_mcp_${n}`,
      namespace: `mcp__${step.mcp.server}`,
      name: step.mcp.tool,
      arguments: JSON.stringify(step.mcp.args),
    };
  if ('item' in step) return step.item;
  if ('code' in step) return { type: 'custom_tool_call', id: `ctc_${n}`, call_id: `call_exec_${n}`, name: 'exec', input: step.code };
  const text = 'answer' in step ? step.answer : 'json' in step ? JSON.stringify(step.json) : 'raw' in step ? step.raw : '';
  return {
    type: 'message',
    id: `msg_${n}`,
    role: 'assistant',
    status: 'completed',
    phase: 'final_answer',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

const sse = (res: http.ServerResponse, ev: Item) => res.write(`event: ${String(ev.type)}\ndata: ${JSON.stringify(ev)}\n\n`);

export async function startMockResponses(policy: MockPolicy): Promise<MockServer> {
  let current = policy;
  let n = 0;
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no route"}}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'];
      requests.push({ url: req.url, headers: req.headers, body });
      const input = body.input ?? [];
      const effort = (body.reasoning as { effort?: unknown } | undefined)?.effort;
      const step = current({
        input,
        model: String(body.model),
        stepIndex: stepIndexOf(input),
        ...(typeof effort === 'string' ? { reasoningEffort: effort } : {}),
      });
      n++;
      if ('fail' in step && step.fail === 'http500') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"mock failure","type":"server_error"}}');
        return;
      }
      const id = `resp_${n}`;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      sse(res, { type: 'response.created', response: { id, object: 'response', status: 'in_progress', model: body.model } });
      if ('fail' in step) {
        sse(res, { type: 'response.failed', response: { id, status: 'failed', error: { code: 'server_error', message: 'mock response.failed event' } } });
        res.end();
        return;
      }
      const item = itemFor(step, n);
      const added =
        item.type === 'function_call' ? { ...item, arguments: '' } : item.type === 'message' ? { ...item, status: 'in_progress', content: [] } : item;
      sse(res, { type: 'response.output_item.added', output_index: 0, item: added });
      sse(res, { type: 'response.output_item.done', output_index: 0, item });
      const inputTokens = 1000 + 100 * requests.length;
      sse(res, {
        type: 'response.completed',
        response: {
          id,
          object: 'response',
          status: 'completed',
          output: [item],
          usage: {
            input_tokens: inputTokens,
            input_tokens_details: { cached_tokens: 250 },
            output_tokens: 40,
            output_tokens_details: { reasoning_tokens: 5 },
            total_tokens: inputTokens + 40,
          },
        },
      });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    setPolicy(p) {
      current = p;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

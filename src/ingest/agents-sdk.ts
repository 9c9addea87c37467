// Placeholder until the Agents SDK reader lands.
import type { TraceReader } from './source.js';

export const agentsSdkReader: TraceReader = {
  kind: 'agents-sdk',
  name: 'agents',
  sniff: () => false,
  async *read() {},
};

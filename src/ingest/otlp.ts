// Placeholder until the OTLP readers land.
import type { TraceReader } from './source.js';

export const otlpJsonReader: TraceReader = {
  kind: 'otlp-json',
  name: 'otlp',
  sniff: () => false,
  async *read() {},
};

export const otlpProtobufReader: TraceReader = {
  kind: 'otlp-protobuf',
  name: 'otlp-protobuf',
  sniff: () => false,
  async *read() {},
};

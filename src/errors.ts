/** Errors that carry their exit code; only `src/cli.ts` turns them into a process exit. */

/** Base class: a stable dotted `code` and the exit code the CLI should use. */
export class HarnessError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: 0 | 1 | 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends HarnessError {
  constructor(message: string, code = 'usage.invalid') {
    super(message, code, 2);
  }
}

/** Missing or invalid input; names the file and, where known, the line and field: exit 2. */
export class InputError extends HarnessError {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    code = 'input.invalid',
    options?: { cause?: unknown },
  ) {
    super(file ? `${file}${line ? `:${line}` : ''}: ${message}` : message, code, 2, options);
  }
}

/** An external program (codex, promptfoo) failed to run: exit 2. */
export class ExternalCommandError extends HarnessError {
  constructor(message: string, code = 'external.failed', options?: { cause?: unknown }) {
    super(message, code, 2, options);
  }
}

/** The command ran and its verdict is negative (a gate, a check, --strict skips): exit 1. */
export class GateFailedError extends HarnessError {
  constructor(message: string, code = 'gate.failed') {
    super(message, code, 1);
  }
}

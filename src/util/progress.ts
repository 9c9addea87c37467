/** A one-line progress bar on stderr, drawn only when stderr is a TTY. */
export interface Progress {
  update(done: number, detail?: string): void;
  done(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return { update() {}, done() {} };
  let last = 0;
  const draw = (done: number, detail = '') => {
    const width = 24;
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    stream.write(`\r${label} ${bar} ${Math.round(ratio * 100)}% ${detail}`.slice(0, (stream.columns ?? 80) - 1).padEnd(20) + '\x1b[K');
  };
  return {
    update(done, detail) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done, detail);
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}

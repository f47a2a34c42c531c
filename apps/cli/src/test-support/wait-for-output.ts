/** What `waitForOutput` watches: a child process's output or an in-process run's buffers. */
export interface OutputSource {
  /** The stream's text so far. */
  text(): string;
  /** True once the run is over (no more output will come). */
  ended(): boolean;
  /** Both streams, for the failure message. */
  describe(): string;
  /** Calls `listener` on new output and at the end; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/**
 * Resolves when the source's text (after `from` characters) matches `pattern`, to the position
 * after the match; rejects with the output when the run ends first or `timeoutMs` passes (a
 * guard against a hang, so a failure shows the output instead of a bare test timeout).
 */
export function waitForOutput(
  source: OutputSource,
  options: { pattern: string | RegExp; stream: string; from: number; timeoutMs: number; ended: string },
): Promise<number> {
  const { pattern, stream, from, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const fail = (why: string) => {
      unsubscribe();
      clearTimeout(timer);
      reject(new Error(`${why} before ${stream} showed ${pattern}.\n${source.describe()}`));
    };
    const timer = setTimeout(() => fail(`${timeoutMs} ms passed`), timeoutMs);
    const check = () => {
      const text = source.text().slice(from);
      const match = typeof pattern === "string" ? indexOfEnd(text, pattern) : regexEnd(text, pattern);
      if (match >= 0) {
        unsubscribe();
        clearTimeout(timer);
        resolve(from + match);
      } else if (source.ended()) {
        fail(options.ended);
      }
    };
    unsubscribe = source.subscribe(check);
    check();
  });
}

function indexOfEnd(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? -1 : at + needle.length;
}

function regexEnd(text: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  return match ? match.index + match[0].length : -1;
}

const CALL_OPENERS = ["{", "[", "```", "<tool_call>"];

/**
 * Holds back streamed text that may turn out to be a tool call written as text (it starts
 * like JSON, a fence or `<tool_call>`), so users never see the raw call flash by. Text that
 * starts any other way streams through at once.
 */
export class CallTextGuard {
  #decided: "stream" | "hold" | undefined;
  #held = "";

  constructor(enabled: boolean) {
    if (!enabled) this.#decided = "stream";
  }

  /** Feeds text; returns the part that can be shown now. */
  push(text: string): string {
    if (this.#decided === "stream") return text;
    this.#held += text;
    if (this.#decided === "hold") return "";
    const start = this.#held.trimStart();
    if (start === "") return "";
    if (CALL_OPENERS.some((opener) => start.startsWith(opener))) {
      this.#decided = "hold";
      return "";
    }
    if (CALL_OPENERS.some((opener) => opener.startsWith(start))) return "";
    this.#decided = "stream";
    const out = this.#held;
    this.#held = "";
    return out;
  }

  /** The text still held back at the end of the reply. */
  release(): string {
    const out = this.#held;
    this.#held = "";
    return out;
  }
}

const OPEN = "<think>";
const CLOSE = "</think>";

/**
 * Splits streamed content into text and thinking when a model leaves `<think>...</think>` in
 * its content instead of Ollama's `thinking` field. Tags split across chunks are handled: a
 * possible tag start is held back until the next chunk decides it.
 */
export class ThinkTagFilter {
  #inside = false;
  #pending = "";

  /** Feeds one chunk; returns what of it is text and what is thinking. */
  push(chunk: string): { text: string; thinking: string } {
    let input = this.#pending + chunk;
    this.#pending = "";
    let text = "";
    let thinking = "";
    while (input.length > 0) {
      const tag = this.#inside ? CLOSE : OPEN;
      const at = input.indexOf(tag);
      if (at >= 0) {
        if (this.#inside) thinking += input.slice(0, at);
        else text += input.slice(0, at);
        input = input.slice(at + tag.length);
        this.#inside = !this.#inside;
        continue;
      }
      const keep = partialSuffix(input, tag);
      const out = input.slice(0, input.length - keep);
      if (this.#inside) thinking += out;
      else text += out;
      this.#pending = input.slice(input.length - keep);
      break;
    }
    return { text, thinking };
  }

  /** Releases whatever was held back at the end of the stream. */
  flush(): { text: string; thinking: string } {
    const rest = this.#pending;
    this.#pending = "";
    return this.#inside ? { text: "", thinking: rest } : { text: rest, thinking: "" };
  }
}

/** Length of the longest suffix of `input` that is a proper prefix of `tag`. */
function partialSuffix(input: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, input.length); length > 0; length--) {
    if (tag.startsWith(input.slice(input.length - length))) return length;
  }
  return 0;
}

/**
 * Makes untrusted text (documents, file names, model output, tool results, error messages)
 * inert before it reaches a terminal. Removed: escape sequences whole (CSI `ESC [`, OSC
 * `ESC ]` such as OSC 52 that writes the clipboard, DCS `ESC P`, SOS/PM/APC, two-byte `ESC x`),
 * their 8-bit C1 forms (U+0080-U+009F), a bare ESC, and every other control character
 * (BEL, backspace, DEL, ...). Kept: `\n` and `\t`. A carriage return becomes a line break, so
 * text after it cannot overwrite what came before on the same line.
 *
 * corral's own colours are added after this, around text that went through it.
 *
 * Hand-written rather than `strip-ansi`: that regex leaves a bare ESC, C0/C1 controls and
 * OSC payloads with characters it does not expect, and cannot follow a sequence split
 * across the chunks of a stream.
 */
export class TerminalTextFilter {
  #state: "text" | "escape" | "escape-intermediate" | "csi" | "string" | "string-escape" = "text";
  #skipLineFeed = false;

  /** The inert form of `chunk`; a sequence cut at the end of a chunk is finished by the next one. */
  write(chunk: string): string {
    let out = "";
    for (const char of chunk) {
      const code = char.codePointAt(0) ?? 0;
      const skipLineFeed = this.#skipLineFeed;
      this.#skipLineFeed = false;
      switch (this.#state) {
        case "text":
          if (code === 0x0a) {
            if (!skipLineFeed) out += char;
          } else if (code === 0x0d) {
            out += "\n";
            this.#skipLineFeed = true;
          } else if (code === 0x09) out += char;
          else if (code === 0x1b) this.#state = "escape";
          else if (code === 0x9b) this.#state = "csi";
          else if (code === 0x90 || code === 0x98 || code === 0x9d || code === 0x9e || code === 0x9f) this.#state = "string";
          else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
            // another control character: dropped
          } else out += char;
          break;
        case "escape":
          if (char === "[") this.#state = "csi";
          else if (char === "]" || char === "P" || char === "X" || char === "^" || char === "_") this.#state = "string";
          else if (code === 0x1b) this.#state = "escape";
          else if (code >= 0x20 && code <= 0x2f) this.#state = "escape-intermediate";
          else if (code >= 0x30 && code <= 0x7e) this.#state = "text";
          else {
            // A bare ESC before text or a line break: drop the ESC, keep what follows.
            this.#state = "text";
            out += this.write(char);
          }
          break;
        case "escape-intermediate":
          if (code >= 0x30 && code <= 0x7e) this.#state = "text";
          else if (!(code >= 0x20 && code <= 0x2f)) {
            this.#state = "text";
            out += this.write(char);
          }
          break;
        case "csi":
          // parameters and intermediates 0x20-0x3f, then one final byte 0x40-0x7e
          if (code >= 0x40 && code <= 0x7e) this.#state = "text";
          else if (!(code >= 0x20 && code <= 0x3f)) {
            this.#state = "text";
            out += this.write(char);
          }
          break;
        case "string":
          // OSC, DCS, SOS, PM, APC: everything up to BEL or ST (ESC \ or 0x9c) is the payload
          if (code === 0x07 || code === 0x9c) this.#state = "text";
          else if (code === 0x1b) this.#state = "string-escape";
          break;
        case "string-escape":
          if (char === "\\") this.#state = "text";
          else {
            // ESC inside a string ends it and starts a new sequence, as terminals do
            this.#state = "escape";
            out += this.write(char);
          }
          break;
      }
    }
    return out;
  }
}

/**
 * `text` with control characters and escape sequences removed (see TerminalTextFilter);
 * `\n` and `\t` stay.
 * @example
 * terminalText("docs/\u001b]52;c;aGk=\u0007notes.md") // "docs/notes.md"
 */
export function terminalText(text: string): string {
  // Plain text, the common case, is returned as it is.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
  if (!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text)) return text;
  return new TerminalTextFilter().write(text);
}

/**
 * `JSON.stringify(value, null, 2)` safe to print: JSON already escapes C0 controls, and this
 * escapes DEL and the C1 range too (`\u009b` is an 8-bit CSI), so the value parses the same.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

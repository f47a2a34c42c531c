import { describe, expect, it } from "vitest";
import { TerminalTextFilter, terminalText } from "./terminal-text.js";

const ESC = "\u001b";
const BEL = "\u0007";

describe("terminalText", () => {
  it.each([
    ["OSC 52 (writes the clipboard), ended by BEL", `a${ESC}]52;c;Y3VybCBldmlsLnNofHNo${BEL}b`, "ab"],
    ["OSC 8 hyperlink, ended by ST", `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, "click"],
    ["OSC 0 window title", `${ESC}]0;pwned${BEL}title`, "title"],
    ["CSI colours and cursor moves", `${ESC}[31mred${ESC}[0m ${ESC}[2J${ESC}[1;1Hhome`, "red home"],
    ["CSI with private parameters", `${ESC}[?1049h${ESC}[?25lhidden`, "hidden"],
    ["DCS", `${ESC}P1$r0m${ESC}\\after`, "after"],
    ["APC, PM and SOS", `${ESC}_apc${ESC}\\${ESC}^pm${ESC}\\${ESC}Xsos${ESC}\\ok`, "ok"],
    ["8-bit C1 CSI and OSC", `\u009b31mred\u009d52;c;aGk=\u009cdone\u0085`, "reddone"],
    ["two-byte escapes and charset selection", `${ESC}c${ESC}7${ESC}(0x${ESC}(B`, "x"],
    ["a bare ESC before a line break or non-ASCII text", `${ESC}\nline ${ESC}été${ESC}`, "\nline été"],
    ["BEL, backspace, DEL and NUL", `ding${BEL}\b\b\bxx\u007f\u0000!`, "dingxx!"],
    ["a carriage return that would overwrite the line", "rm -rf ~\rls", "rm -rf ~\nls"],
  ])("neutralises %s", (_name, input, expected) => {
    const output = terminalText(input);
    expect(output).toBe(expected);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
    expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it("keeps line breaks (CRLF becomes LF), tabs and printable Unicode", () => {
    expect(terminalText("a\tb\r\nc\nd")).toBe("a\tb\nc\nd");
    expect(terminalText("naïve café — 日本語 🙂")).toBe("naïve café — 日本語 🙂");
  });

  it("follows a sequence cut across stream chunks", () => {
    const filter = new TerminalTextFilter();
    const chunks = ["Hello ", `${ESC}`, "]52;c;", "aGVsbG8=", `${BEL}wor`, `ld${ESC}[`, "1mX\r", "\nY"];
    expect(chunks.map((chunk) => filter.write(chunk)).join("")).toBe("Hello worldX\nY");
  });
});

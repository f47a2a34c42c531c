/** Long runs of mixed-case letters and digits (base64, keys, hashes) that tokenizers cut into short pieces. */
const OPAQUE_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** A letter or a combining mark of any script. */
const LETTER = /\p{L}|\p{M}/u;

/**
 * Tokens a model's tokenizer may use for a text, estimated without the tokenizer, per script and kept on the
 * high side (the tests check it against the Qwen3 and Llama 3 tokenizers):
 * - ASCII letters: 3.2 to a token (English words are 1-2 tokens; German or French ones more);
 * - ASCII digits: 1.1 each (Qwen splits numbers into single digits), and a space before a digit is a token;
 * - ASCII punctuation and symbols: 0.8 each (code and JSON are dense with them), 1 right after a digit;
 * - newlines and tabs: 1 each; runs of two or more spaces (indentation): 1 per run; single spaces: none;
 * - base64-like runs (16+ characters mixing upper case, lower case and digits): 1 token per 1.4 characters;
 * - Han, kana, Hangul and full-width forms: 1.25 each (a character is about a token, not a fraction);
 * - other letters (Cyrillic, Greek, accented Latin, Arabic, ...): 0.6 each;
 * - other symbols: 2 each, and 3 outside the Basic Multilingual Plane (emoji are split into bytes).
 */
export function estimateTextTokens(text: string): number {
  let opaque = 0;
  const rest = text.replace(OPAQUE_RUN, (run) => {
    if (!isOpaque(run)) return run;
    opaque += run.length;
    return " ";
  });
  let letters = 0;
  let tokens = opaque / 1.4;
  let spaces = 0;
  let afterDigit = false;
  for (const character of rest) {
    const code = character.codePointAt(0)!;
    if (code === 0x20) {
      spaces++;
      continue;
    }
    const digit = code >= 0x30 && code <= 0x39;
    if (spaces > 1 || (spaces === 1 && digit)) tokens++;
    spaces = 0;
    if (code < 0x80) {
      if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) letters++;
      else if (digit) tokens += 1.1;
      else if (code === 0x0a || code === 0x09 || code === 0x0d) tokens++;
      // Between numbers (dates, lists of values) punctuation is a token of its own.
      else if (code > 0x20) tokens += afterDigit ? 1 : 0.8;
    } else if (isCjk(code)) tokens += 1.25;
    else if (code > 0xffff) tokens += 3;
    else if (LETTER.test(character)) tokens += 0.6;
    else tokens += 2;
    afterDigit = digit;
  }
  if (spaces > 1) tokens++;
  return Math.ceil(letters / 3.2 + tokens);
}

/** A run mixing upper case, lower case and digits, with frequent case changes: not a word or an identifier. */
function isOpaque(run: string): boolean {
  let upper = 0;
  let lower = 0;
  let digits = 0;
  let changes = 0;
  let previous = "";
  for (const character of run) {
    const kind =
      character >= "A" && character <= "Z"
        ? "u"
        : character >= "a" && character <= "z"
          ? "l"
          : character >= "0" && character <= "9"
            ? "d"
            : "o";
    if (kind === "u") upper++;
    else if (kind === "l") lower++;
    else if (kind === "d") digits++;
    if (previous && kind !== previous) changes++;
    previous = kind;
  }
  return upper >= 2 && lower >= 2 && digits >= 2 && changes >= run.length / 4;
}

/** Han, Hiragana, Katakana, Hangul, CJK punctuation and full-width forms. */
function isCjk(code: number): boolean {
  return (
    (code >= 0x2e80 && code <= 0x9fff) || // radicals, CJK punctuation, kana, Han (unified), ...
    (code >= 0xac00 && code <= 0xd7af) || // Hangul syllables
    (code >= 0x1100 && code <= 0x11ff) || // Hangul jamo
    (code >= 0xf900 && code <= 0xfaff) || // compatibility ideographs
    (code >= 0xff00 && code <= 0xffef) || // full-width forms
    (code >= 0x20000 && code <= 0x3134f) // Han extensions B-H
  );
}

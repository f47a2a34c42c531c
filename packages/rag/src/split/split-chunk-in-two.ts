import { type Chunk, hashText } from "./chunk.js";

/**
 * Splits a chunk that overflowed the embedding model's context into two halves at a paragraph,
 * line or word break near the middle. Line spans follow; nothing is dropped but the whitespace
 * at the cut.
 */
export function splitChunkInTwo(chunk: Chunk): [Chunk, Chunk] {
  const { text } = chunk;
  const middle = Math.floor(text.length / 2);
  const window = Math.floor(text.length / 4);
  let cut = -1;
  for (const separator of ["\n\n", "\n", ". ", " "]) {
    const before = text.lastIndexOf(separator, middle);
    const after = text.indexOf(separator, middle);
    const candidates = [before, after].filter((index) => index > 0 && Math.abs(index - middle) <= window);
    if (candidates.length) {
      cut = candidates.sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle))[0] as number;
      cut += separator === ". " ? 1 : 0;
      break;
    }
  }
  if (cut <= 0) cut = middle;
  const leftRaw = text.slice(0, cut);
  const rightRaw = text.slice(cut);
  const left = leftRaw.trimEnd();
  const right = rightRaw.trimStart();
  const make = (part: string, startLine?: number, endLine?: number): Chunk => ({
    ...chunk,
    text: part,
    hash: hashText(part),
    ...(startLine !== undefined ? { startLine } : {}),
    ...(endLine !== undefined ? { endLine } : {}),
  });
  if (chunk.startLine === undefined) return [make(left), make(right)];
  const rightStart = chunk.startLine + countNewlines(text.slice(0, text.length - right.length));
  const leftEnd = chunk.startLine + countNewlines(left);
  return [make(left, chunk.startLine, leftEnd), make(right, rightStart, chunk.endLine)];
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

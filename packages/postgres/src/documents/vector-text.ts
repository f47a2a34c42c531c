/** A vector as pgvector's text form, `[1,2,3]`. */
export function toVectorText(vector: ArrayLike<number>): string {
  return `[${Array.from(vector, (value) => (Number.isFinite(value) ? value : 0)).join(",")}]`;
}

/** pgvector's text form back to numbers. */
export function parseVectorText(text: string): number[] {
  return text.slice(1, -1).split(",").map(Number);
}

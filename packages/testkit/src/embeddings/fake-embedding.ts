/** Options of {@link fakeEmbedding}. */
export interface FakeEmbeddingOptions {
  /** The vector length. */
  dimensions: number;
  /** L2-normalise the vector (as `/api/embed` and `/v1/embeddings` do). Default true. */
  normalize?: boolean;
}

/** FNV-1a, 32 bit: small, fast and stable across platforms. */
function hash(text: string, seed: number): number {
  let value = 0x811c9dc5 ^ seed;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** The Euclidean length of a vector. */
function length(vector: readonly number[]): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}

/** Words (lower-cased letters and digits) of a text. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The vector the fake Ollama returns for a text: hashed word features (weight 1) plus hashed
 * character-trigram features of each word (weight 0.5), each feature adding ±weight to a few
 * positions. Texts sharing words or word pieces get similar vectors; the same text always gets
 * the same vector. A text without words gets a fixed unit vector.
 *
 * @example
 * const a = fakeEmbedding("rotate the API keys", { dimensions: 768 });
 */
export function fakeEmbedding(text: string, options: FakeEmbeddingOptions): number[] {
  const { dimensions } = options;
  if (!Number.isInteger(dimensions) || dimensions < 1)
    throw new RangeError(`fakeEmbedding: dimensions must be a positive integer, got ${dimensions}`);
  const vector = new Array<number>(dimensions).fill(0);
  const add = (feature: string, weight: number) => {
    for (let probe = 0; probe < 2; probe++) {
      const value = hash(feature, probe);
      const sign = (value & 1) === 0 ? 1 : -1;
      const position = (value >>> 1) % dimensions;
      vector[position] = (vector[position] ?? 0) + sign * weight;
    }
  };
  for (const word of words(text)) {
    add(`w:${word}`, 1);
    const padded = ` ${word} `;
    for (let index = 0; index + 3 <= padded.length; index++) add(`t:${padded.slice(index, index + 3)}`, 0.5);
  }
  let norm = length(vector);
  if (norm === 0) {
    vector[0] = 1;
    norm = 1;
  }
  if (options.normalize === false) return vector;
  return vector.map((value) => value / norm);
}

/** Cuts a normalised vector to `dimensions` and normalises it again (Ollama's `dimensions` option). */
export function truncateEmbedding(vector: number[], dimensions: number): number[] {
  const cut = vector.slice(0, dimensions);
  const norm = length(cut) || 1;
  return cut.map((value) => value / norm);
}

/** A rough token count (about 4 characters per token, at least 1 for non-empty text). */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

// Embedding-like synthetic vectors: a low-rank signal plus noise, derived from the text's hash,
// so the same text always gives the same vector and queries come from the same distribution.

export function fnv(text: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

export function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Makes vectors of `dimensions` with a rank-`rank` signal and `noise` of Gaussian noise. */
export function syntheticVectors(dimensions: number, rank = 64, noise = 0.35): (text: string) => number[] {
  const random = mulberry32(12345);
  const basis = Array.from({ length: rank }, () => Float64Array.from({ length: dimensions }, () => gaussian(random)));
  return (text) => {
    const own = mulberry32(fnv(text));
    const vector = new Float64Array(dimensions);
    for (const row of basis) {
      const weight = gaussian(own);
      for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) + weight * (row[i] as number);
    }
    let norm = 0;
    for (let i = 0; i < dimensions; i++) {
      vector[i] = (vector[i] as number) / Math.sqrt(rank) + noise * gaussian(own);
      norm += (vector[i] as number) ** 2;
    }
    norm = Math.sqrt(norm) || 1;
    return Array.from(vector, (value) => value / norm);
  };
}

/**
 * Topic-structured vectors, closer to real text embeddings: each text belongs to one of
 * `topics` topics (by hash) and is its topic's centre plus its own variation and a little noise.
 */
export function clusteredVectors(dimensions: number, topics: number): (text: string) => number[] {
  const centre = syntheticVectors(dimensions, 64, 0);
  const variation = syntheticVectors(dimensions, 64, 0);
  return (text) => {
    const topic = centre(`topic ${fnv(text) % topics}`);
    const own = variation(text);
    const random = mulberry32(fnv(`noise ${text}`));
    const vector = topic.map((value, i) => value + 0.6 * (own[i] as number) + (0.25 / Math.sqrt(dimensions)) * gaussian(random));
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  };
}

/** A vector as the bytes of a little-endian Float32Array. */
export function encodeVector(vector: ArrayLike<number>): Buffer {
  const floats = Float32Array.from(vector as ArrayLike<number>);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** The numbers of an encoded vector. */
export function decodeVector(bytes: Uint8Array): number[] {
  const copy = new Uint8Array(bytes);
  return Array.from(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
}

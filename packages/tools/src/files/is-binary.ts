const SAMPLE_BYTES = 8192;
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * True when the bytes look like a binary file rather than text: a NUL byte near the start, or
 * bytes that are not valid UTF-8.
 */
export function isBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  if (sample.includes(0)) return true;
  try {
    decoder.decode(bytes);
    return false;
  } catch {
    return true;
  }
}

import type { Chunk } from "../split/chunk.js";
import type { EmbeddedChunk } from "./embed-with-splitting.js";

/**
 * The parts of an overflowing chunk, placed at `copy`: the parts were cut from `embedded`
 * (the first chunk with this text), so their lines move by the distance between the two.
 */
export function relocateParts(embedded: Chunk, copy: Chunk, parts: EmbeddedChunk[]): Chunk[] {
  const shift = copy.startLine !== undefined && embedded.startLine !== undefined ? copy.startLine - embedded.startLine : undefined;
  return parts.map(({ chunk }) => {
    const { startLine, endLine, page: _page, ...rest } = chunk;
    return {
      ...rest,
      headingPath: copy.headingPath,
      ...(copy.page !== undefined ? { page: copy.page } : {}),
      ...(shift !== undefined && startLine !== undefined ? { startLine: startLine + shift } : {}),
      ...(shift !== undefined && endLine !== undefined ? { endLine: endLine + shift } : {}),
    };
  });
}

/** Whether an embedding result replaced its chunk by parts (it overflowed the model's context). */
export function wasSplit(parts: EmbeddedChunk[] | undefined, hash: string): boolean {
  return parts !== undefined && (parts.length > 1 || (parts[0] as EmbeddedChunk).chunk.hash !== hash);
}

import fs from "node:fs";
import { replaceFileAtomically } from "./atomic-write.js";
import { incompleteWriteError, toStorageError } from "./storage-error.js";
import { TopScores } from "./top-scores.js";

/** The first bytes of a flat vectors file (`vectors.q8`). */
const MAGIC = "CORRALQ8";
/** The layout version of the flat file; a reader refuses (ignores) another. */
export const FLAT_LAYOUT_VERSION = 1;
const HEADER_BYTES = 24;
/** Vectors read from their source at a time while writing (a few MiB of floats). */
const BATCH = 1024;
/** Bytes of codes read at a time while scanning. */
const BLOCK_BYTES = 1 << 20;

/** A label without a stored vector of the right length: the flat file is not written. */
export class MissingVectorError extends Error {
  constructor(
    readonly label: number,
    dimensions: number,
  ) {
    super(`no ${dimensions}-dimensional vector is stored for chunk ${label}`);
    this.name = new.target.name;
  }
}

/**
 * A flat copy of an index's vectors for short-lived readers (`vectors.q8`, written next to
 * `vectors.hnsw` at every save): each vector normalised and quantised to int8 with its own
 * scale, read with one plain file read (no graph to rebuild) and scanned exactly. Scores from
 * the scan choose candidates only; the caller rescores them with the stored float32 vectors.
 *
 * Layout (little-endian): "CORRALQ8", u32 layout version, u32 dimensions, u32 count, u32 length
 * of the hnsw version string, the version string (padded with zeros to a multiple of 8 bytes),
 * `count` float64 labels, `count` float32 scales, `count * dimensions` int8 codes. The file's
 * size is exactly that; anything else is refused.
 */
export class FlatVectors {
  private constructor(
    /** The hnsw file version (SQLite's `vectors_generation`) this copy was written for. */
    readonly version: string,
    readonly dimensions: number,
    readonly labels: Float64Array,
    private readonly scales: Float32Array,
    private readonly file: string,
    /** Kept open, so a copy a writer renames over this one later is not mixed in. */
    private fd: number | undefined,
    private readonly codesAt: number,
  ) {}

  /** Row by label, built at the first `scoreLabels`. */
  private rows: Map<number, number> | undefined;

  get count(): number {
    return this.labels.length;
  }

  /** The sum of the labels (chunk ids), to check against SQLite's vector chunks. */
  labelSum(): number {
    // An indexed loop: cold for-of over a typed array is slow in a process that runs this once.
    let sum = 0;
    for (let i = 0; i < this.labels.length; i++) sum += this.labels[i] as number;
    return sum;
  }

  /**
   * Opens a flat file and reads its header, labels and scales (the codes are read as they are
   * scanned). Returns the vectors, or a reason it cannot be used (missing, cut short, of another
   * layout, another dimension, count or version than expected).
   */
  static open(file: string, expected: { dimensions: number; count: number; version: string }): FlatVectors | string {
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, "r");
      const problem = FlatVectors.check(fd, expected);
      if (typeof problem === "string") {
        fs.closeSync(fd);
        return problem;
      }
      const { labelsAt, count, dimensions } = problem;
      const head = readExactly(fd, count * 12, labelsAt);
      const labels = new Float64Array(head.buffer.slice(head.byteOffset, head.byteOffset + count * 8));
      const scales = new Float32Array(head.buffer.slice(head.byteOffset + count * 8, head.byteOffset + count * 12));
      return new FlatVectors(expected.version, dimensions, labels, scales, file, fd, labelsAt + count * 12);
    } catch (error) {
      if (fd !== undefined) fs.closeSync(fd);
      return `it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }

  private static check(
    fd: number,
    expected: { dimensions: number; count: number; version: string },
  ): { labelsAt: number; count: number; dimensions: number } | string {
    const size = fs.fstatSync(fd).size;
    if (size < HEADER_BYTES) return "it is not a corral flat vectors file";
    const header = readExactly(fd, HEADER_BYTES, 0);
    if (header.toString("latin1", 0, 8) !== MAGIC) return "it is not a corral flat vectors file";
    const layout = header.readUInt32LE(8);
    if (layout !== FLAT_LAYOUT_VERSION) return `it has layout version ${layout}, this release reads ${FLAT_LAYOUT_VERSION}`;
    const dimensions = header.readUInt32LE(12);
    const count = header.readUInt32LE(16);
    const versionLength = header.readUInt32LE(20);
    if (dimensions !== expected.dimensions) return `it holds ${dimensions}-dimensional vectors, the index ${expected.dimensions}`;
    if (count !== expected.count) return `it holds ${count} vectors, the index ${expected.count}`;
    const labelsAt = HEADER_BYTES + pad8(versionLength);
    const expectedSize = labelsAt + count * 8 + count * 4 + count * dimensions;
    if (size !== expectedSize) return `it is ${size} bytes, ${expectedSize} expected (cut short or damaged)`;
    const version = readExactly(fd, versionLength, HEADER_BYTES).toString("utf8");
    if (version !== expected.version) return `it was written for vectors version ${version}, the index is at ${expected.version}`;
    return { labelsAt, count, dimensions };
  }

  /**
   * The int8 scores (cosine similarity within about 0.01) of these labels to the normalised
   * query, each read from the file at its row; labels the copy does not hold are left out.
   */
  scoreLabels(query: Float32Array, labels: number[]): Array<{ label: number; score: number }> {
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    if (!this.rows) {
      this.rows = new Map();
      for (let row = 0; row < this.labels.length; row++) this.rows.set(this.labels[row] as number, row);
    }
    const { dimensions } = this;
    const buffer = Buffer.allocUnsafe(dimensions);
    const codes = new Int8Array(buffer.buffer, buffer.byteOffset, dimensions);
    const scored: Array<{ label: number; score: number }> = [];
    for (const label of labels) {
      const row = this.rows.get(label);
      if (row === undefined) continue;
      try {
        readInto(this.fd, buffer, dimensions, this.codesAt + row * dimensions, this.file);
      } catch (error) {
        throw toStorageError(this.file, error);
      }
      scored.push({ label, score: dotRow(query, codes, 0, dimensions) * (this.scales[row] as number) });
    }
    return scored;
  }

  /** Closes the file. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * A flat file's bytes, built in memory: `vectorsOf` gives the vectors of a batch of labels,
   * and the event loop runs between batches (a writer builds them while hnswlib saves its file
   * on another thread). A label without a vector throws MissingVectorError.
   */
  static async encode(
    version: string,
    dimensions: number,
    labels: number[],
    vectorsOf: (labels: number[]) => ReadonlyMap<number, ArrayLike<number>>,
  ): Promise<Buffer> {
    const count = labels.length;
    const versionBytes = Buffer.from(version, "utf8");
    const labelsAt = HEADER_BYTES + pad8(versionBytes.length);
    const size = labelsAt + count * 8 + count * 4 + count * dimensions;
    const bytes = Buffer.alloc(size);
    bytes.write(MAGIC, 0, "latin1");
    bytes.writeUInt32LE(FLAT_LAYOUT_VERSION, 8);
    bytes.writeUInt32LE(dimensions, 12);
    bytes.writeUInt32LE(count, 16);
    bytes.writeUInt32LE(versionBytes.length, 20);
    versionBytes.copy(bytes, HEADER_BYTES);
    const labelView = new Float64Array(count);
    const scaleView = new Float32Array(count);
    const codes = new Int8Array(bytes.buffer, bytes.byteOffset + labelsAt + count * 12, count * dimensions);
    for (let start = 0; start < count; start += BATCH) {
      // In batches, so the float vectors of a large index are never all in memory at once.
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const batch = labels.slice(start, start + BATCH);
      const vectors = vectorsOf(batch);
      for (const [offset, label] of batch.entries()) {
        const vector = vectors.get(label);
        if (!vector || vector.length !== dimensions) throw new MissingVectorError(label, dimensions);
        const row = start + offset;
        labelView[row] = label;
        scaleView[row] = quantise(vector, codes, row * dimensions);
      }
    }
    Buffer.from(labelView.buffer).copy(bytes, labelsAt);
    Buffer.from(scaleView.buffer).copy(bytes, labelsAt + count * 8);
    return bytes;
  }

  /** Writes a flat file's bytes atomically (temp file, fsync, size check, rename). */
  static async save(file: string, bytes: Buffer): Promise<void> {
    const size = bytes.length;
    await replaceFileAtomically(
      file,
      (temp) => fs.writeFileSync(temp, bytes),
      (temp) => {
        const written = fs.statSync(temp).size;
        if (written !== size) throw incompleteWriteError(file, `the new copy was cut short at ${written} bytes and was not used`, size);
      },
    );
  }

  /**
   * The `limit` labels whose quantised vectors are nearest the (normalised) query, best first,
   * among `allowed` when given. Approximate scores: rescore them with the float vectors. The
   * codes are read in blocks of about 1 MiB into one buffer and scanned as they arrive: a
   * process touches 1 MiB of fresh memory instead of the whole file (page faults on fresh
   * memory cost more than the read).
   */
  nearest(query: Float32Array, limit: number, allowed?: Set<number>): number[] {
    const { dimensions, scales, labels } = this;
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    const best = new TopScores(limit);
    const rowsPerBlock = Math.max(1, Math.floor(BLOCK_BYTES / dimensions));
    const block = Buffer.allocUnsafe(rowsPerBlock * dimensions);
    const codes = new Int8Array(block.buffer, block.byteOffset, block.length);
    for (let first = 0; first < labels.length; first += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, labels.length - first);
      try {
        readInto(this.fd, block, rows * dimensions, this.codesAt + first * dimensions, this.file);
      } catch (error) {
        throw toStorageError(this.file, error);
      }
      for (let row = 0; row < rows; row++) {
        const at = first + row;
        if (allowed && !allowed.has(labels[at] as number)) continue;
        best.offer(at, dotRow(query, codes, row * dimensions, dimensions) * (scales[at] as number));
      }
    }
    return best.ids().map((row) => labels[row] as number);
  }
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  readInto(fd, buffer, length, position, "the flat vectors file");
  return buffer;
}

/** Reads `length` bytes at `position` into the start of `buffer`; a short read (the file shrank) throws. */
function readInto(fd: number, buffer: Buffer, length: number, position: number, file: string): void {
  let done = 0;
  while (done < length) {
    const read = fs.readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) throw new Error(`${file} ended early, at byte ${position + done}`);
    done += read;
  }
}

/** One row's dot product, in a function of its own (hot at once, so V8 optimises it early) with four sums. */
function dotRow(query: Float32Array, codes: Int8Array, offset: number, dimensions: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < dimensions; i += 4) {
    a += (query[i] as number) * (codes[offset + i] as number);
    b += (query[i + 1] as number) * (codes[offset + i + 1] as number);
    c += (query[i + 2] as number) * (codes[offset + i + 2] as number);
    d += (query[i + 3] as number) * (codes[offset + i + 3] as number);
  }
  for (; i < dimensions; i++) a += (query[i] as number) * (codes[offset + i] as number);
  return a + b + c + d;
}

function pad8(length: number): number {
  return Math.ceil(length / 8) * 8;
}

/** Normalises a vector and writes it as int8 codes at `offset`; returns the scale (code * scale = component). */
function quantise(vector: ArrayLike<number>, codes: Int8Array, offset: number): number {
  const dimensions = vector.length;
  let norm = 0;
  let max = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = vector[i] as number;
    norm += value * value;
    if (Math.abs(value) > max) max = Math.abs(value);
  }
  norm = Math.sqrt(norm) || 1;
  const scale = max / norm / 127 || 1;
  for (let i = 0; i < dimensions; i++) codes[offset + i] = Math.round((vector[i] as number) / norm / scale);
  return scale;
}

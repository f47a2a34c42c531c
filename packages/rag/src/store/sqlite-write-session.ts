import { readDocumentStates } from "./document-states.js";
import type {
  DocumentState,
  DocumentWrite,
  DocumentWriteResult,
  PendingChunk,
  StoredDocument,
  StoreStatus,
  StoreWriteSession,
  VectorAssignment,
  WorkingEmbedding,
} from "./index-store.js";
import type { SqliteGeneration } from "./sqlite-generation.js";

/** hnsw inserts between two turns of the event loop while a group's vectors are added. */
const INSERTS_PER_SLICE = 32;

/**
 * The write side of the SQLite + hnswlib store, for one holder of the lock: SQLite changes are
 * transactions; hnsw changes stay in memory until `checkpoint` or `commit` saves the file
 * (temp file, fsync, read-back, rename), so a failed sync leaves the file on disk as it was.
 */
export class SqliteWriteSession implements StoreWriteSession {
  constructor(
    private readonly generation: SqliteGeneration,
    private readonly repairedNow: boolean,
    private readonly takeRepairedAtOpen: () => boolean,
  ) {}

  /** Whether this session or the open before it repaired what a crash left (read once: the next session starts clean). */
  get repaired(): boolean {
    return this.takeRepairedAtOpen() || this.repairedNow;
  }

  embedding(): WorkingEmbedding | null {
    return this.generation.manifest.embedding;
  }

  async listDocuments(): Promise<StoredDocument[]> {
    return this.generation.store.listDocuments();
  }

  async listDocumentStates(): Promise<DocumentState[]> {
    return readDocumentStates(this.generation.store.db);
  }

  async status(): Promise<StoreStatus> {
    return this.generation.status();
  }

  chooseModel(model: string): void {
    const generation = this.generation;
    if (!generation.manifest.embedding) generation.manifest = { ...generation.manifest, embedding: { model, dimensions: null } };
  }

  async isBound(): Promise<boolean> {
    return this.generation.isBound();
  }

  async cachedHashes(model: string, hashes: Iterable<string>): Promise<Set<string>> {
    return this.generation.store.cachedHashes(model, hashes);
  }

  async getEmbeddings(model: string, hashes: Iterable<string>): Promise<Map<string, number[]>> {
    return this.generation.store.getEmbeddings(model, hashes);
  }

  async putEmbeddings(model: string, entries: Array<{ hash: string; vector: number[] }>): Promise<void> {
    const generation = this.generation;
    const first = entries[0];
    if (!first) return;
    generation.store.transaction(() => generation.store.putEmbeddings(model, entries));
    const embedding = generation.manifest.embedding;
    if (embedding && !embedding.dimensions) {
      generation.manifest = { ...generation.manifest, embedding: { ...embedding, dimensions: first.vector.length } };
    }
  }

  async touchDocument(id: number, size: number, mtimeMs: number): Promise<void> {
    this.generation.store.touchDocument(id, size, mtimeMs);
  }

  async removeDocuments(ids: number[]): Promise<number> {
    if (!ids.length) return 0;
    const generation = this.generation;
    const store = generation.store;
    await generation.ensureVectors();
    const removed = store.transaction(() => ids.map((id) => store.deleteDocument(id)));
    for (const { labels } of removed) for (const label of labels) generation.removeVector(label);
    return removed.reduce((sum, entry) => sum + entry.chunks, 0);
  }

  async writeDocuments(documents: DocumentWrite[], known: ReadonlyMap<string, number[]>): Promise<DocumentWriteResult[]> {
    const generation = this.generation;
    const store = generation.store;
    await generation.ensureVectors();
    const writes = store.transaction(() =>
      documents.map(({ document, chunks }) =>
        store.writeDocument(
          document,
          chunks.map((chunk, ordinal) => ({ ...chunk, ordinal })),
        ),
      ),
    );
    const model = generation.manifest.embedding?.model;
    const cached = model
      ? store.getEmbeddings(
          model,
          writes.flatMap((write) => write.added.filter((entry) => !known.has(entry.hash)).map((entry) => entry.hash)),
        )
      : new Map<string, number[]>();
    for (const write of writes) for (const label of write.removed) generation.removeVector(label);
    // hnsw inserts take most of a group's write (about a millisecond each on a loaded machine): in
    // slices, with the event loop let run between them, so embedding requests and replies of the
    // groups in flight are not held up behind a whole group's inserts.
    let sinceYield = 0;
    for (const write of writes) {
      for (const entry of write.added) {
        const vector = known.get(entry.hash) ?? cached.get(entry.hash);
        if (!vector) continue;
        generation.addVector(entry.id, vector);
        if (++sinceYield === INSERTS_PER_SLICE) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    return writes.map((write, i) => ({
      added: (documents[i] as DocumentWrite).chunks.length - write.kept,
      removed: write.deleted,
      kept: write.kept,
    }));
  }

  async pendingChunks(limit: number, afterId: number): Promise<PendingChunk[]> {
    const store = this.generation.store;
    const rows = store.pendingChunks(limit, afterId);
    const located = new Map(store.getChunks(rows.map((row) => row.id)).map((row) => [row.id, row]));
    return rows.map((row) => {
      const at = located.get(row.id);
      return {
        ...row,
        headingPath: at?.headingPath ?? [],
        ...(at?.startLine !== undefined ? { startLine: at.startLine } : {}),
        ...(at?.endLine !== undefined ? { endLine: at.endLine } : {}),
        ...(at?.page !== undefined ? { page: at.page } : {}),
      };
    });
  }

  async attachVectors(assignments: VectorAssignment[]): Promise<void> {
    const generation = this.generation;
    const store = generation.store;
    const toAdd: Array<{ id: number; vector: number[] }> = [];
    await generation.ensureVectors();
    store.transaction(() => {
      for (const assignment of assignments) {
        if ("parts" in assignment) {
          const ids = store.replaceChunk(
            assignment.chunkId,
            assignment.parts.map((part) => part.chunk),
          );
          store.setHasVector(ids, true);
          ids.forEach((id, i) => {
            toAdd.push({ id, vector: (assignment.parts[i] as { vector: number[] }).vector });
          });
        } else {
          store.setHasVector([assignment.chunkId], true);
          toAdd.push({ id: assignment.chunkId, vector: assignment.vector });
        }
      }
    });
    for (const entry of toAdd) generation.addVector(entry.id, entry.vector);
  }

  checkpoint(): Promise<void> {
    return this.generation.checkpoint();
  }

  async compact(force = false): Promise<boolean> {
    const vectors = this.generation.vectors;
    // Nothing to compact (nor cached vectors to prune) in an index that never held vectors.
    if (!force && vectors.live.size === 0 && !vectors.isDirty) return false;
    return this.generation.compact(force);
  }

  commit(): Promise<void> {
    return this.generation.persist();
  }
}

export type { Embedder, EmbedOptions } from "./embed/embedder.js";
export { fromLangChainEmbeddings, type LangChainEmbedderOptions } from "./embed/from-langchain-embeddings.js";
export { type EmbeddingPrefixes, prefixesForModel } from "./embed/model-prefixes.js";
export { createOllamaEmbedder, type OllamaEmbedderOptions } from "./embed/ollama-embedder.js";
export { EmbedderRequiredError } from "./errors/embedder-required-error.js";
export { EmbeddingInputTooLongError } from "./errors/embedding-input-too-long-error.js";
export { IndexDimensionMismatchError } from "./errors/index-dimension-mismatch-error.js";
export { IndexFormatError } from "./errors/index-format-error.js";
export { IndexLockedError } from "./errors/index-locked-error.js";
export { IndexModelMismatchError } from "./errors/index-model-mismatch-error.js";
export { IndexNotFoundError } from "./errors/index-not-found-error.js";
export { IndexReadOnlyError } from "./errors/index-read-only-error.js";
export { IndexStorageError, type IndexStorageProblem } from "./errors/index-storage-error.js";
export { LoaderStartError } from "./errors/loader-start-error.js";
export type { RagErrorCode } from "./errors/rag-error-code.js";
export { TooManyFilesError } from "./errors/too-many-files-error.js";
export { DocumentIndex, type DocumentIndexParts } from "./index/document-index.js";
export type {
  HitSource,
  IndexStats,
  OpenIndexOptions,
  SearchHit,
  SearchOptions,
  SearchResult,
  SyncOptions,
  SyncProgress,
  SyncReport,
} from "./index/index-types.js";
export { type Index, openIndex } from "./index/open-index.js";
export { asLangChainRetriever, type LangChainRetrieverOptions } from "./langchain/as-langchain-retriever.js";
export { DEFAULT_IGNORES } from "./load/default-ignores.js";
export type { SkippedFile, SkipReason } from "./load/discover-files.js";
export type { FileKind } from "./load/file-kind.js";
export { DEFAULT_LOAD_LIMITS, type LoadLimits } from "./load/load-limits.js";
export type { MetadataValue, SearchFilter } from "./search/search-filter.js";
export type {
  ChunkRecord,
  DocumentState,
  DocumentWrite,
  DocumentWriteResult,
  IndexStore,
  InstantReads,
  PendingChunk,
  ScoredChunk,
  StoredDocument,
  StoreStatus,
  StoreWriteSession,
  VectorAssignment,
  WorkingEmbedding,
} from "./store/index-store.js";
export { createRetrievalTool, type RetrievalToolOptions } from "./tool/create-retrieval-tool.js";
export { formatPassages } from "./tool/format-passages.js";
export {
  formatSource,
  formatSourceLocation,
  isRetrievalOutput,
  type RetrievalCitation,
  type RetrievalOutput,
} from "./tool/retrieval-output.js";

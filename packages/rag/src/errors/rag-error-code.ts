/** The stable codes of the errors rag throws (besides core's, e.g. `model_call_failed` from the embedder). */
export type RagErrorCode =
  | "embedder_required"
  | "embedding_input_too_long"
  | "index_dimension_mismatch"
  | "index_invalid"
  | "index_locked"
  | "index_model_mismatch"
  | "index_not_found"
  | "index_read_only"
  | "index_storage_failed"
  | "loader_unavailable"
  | "too_many_files";

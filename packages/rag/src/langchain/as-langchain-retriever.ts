import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import { Document } from "@langchain/core/documents";
import { BaseRetriever } from "@langchain/core/retrievers";
import type { SearchOptions } from "../index/index-types.js";
import type { Index } from "../index/open-index.js";

/** Options of `asLangChainRetriever`. */
export type LangChainRetrieverOptions = Omit<SearchOptions, "signal">;

class CorralRetriever extends BaseRetriever {
  lc_namespace = ["corral", "retrievers"];

  constructor(
    private readonly index: Index,
    private readonly options: LangChainRetrieverOptions,
  ) {
    super();
  }

  async _getRelevantDocuments(query: string, _runManager?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    const hits = await this.index.search(query, this.options);
    return hits.map(
      (hit) =>
        new Document({
          pageContent: hit.text,
          id: String(hit.id),
          metadata: {
            ...hit.metadata,
            source: hit.source.path,
            ...(hit.source.startLine !== undefined
              ? { loc: { lines: { from: hit.source.startLine, to: hit.source.endLine ?? hit.source.startLine } } }
              : {}),
            ...(hit.source.page !== undefined ? { page: hit.source.page } : {}),
            ...(hit.source.headingPath ? { headingPath: hit.source.headingPath } : {}),
            score: hit.score,
          },
        }),
    );
  }
}

/**
 * A LangChain retriever over an index: `invoke(query)` returns `Document`s whose metadata
 * holds `source` (the path), `loc.lines` or `page`, `headingPath`, `score` and the document's metadata.
 * @example
 * const docs = await asLangChainRetriever(index, { k: 4 }).invoke("rotate keys");
 */
export function asLangChainRetriever(index: Index, options: LangChainRetrieverOptions = {}): BaseRetriever {
  return new CorralRetriever(index, options);
}

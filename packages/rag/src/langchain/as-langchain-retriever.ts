import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import type { Document } from "@langchain/core/documents";
import type { BaseRetriever } from "@langchain/core/retrievers";
import type { SearchOptions } from "../index/index-types.js";
import type { Index } from "../index/open-index.js";

/** Options of `asLangChainRetriever`. */
export type LangChainRetrieverOptions = Omit<SearchOptions, "signal">;

type RetrieverClass = new (index: Index, options: LangChainRetrieverOptions) => BaseRetriever;
let retrieverClass: RetrieverClass | undefined;

/**
 * The retriever class, defined at the first call: LangChain's core (about 250 modules) loads
 * only when a retriever is made, not with the package. It loads LangChain's ES modules through
 * `require` (Node 20.19 and later load ES modules that way), so the classes are the same ones an
 * `import` of them gives.
 */
function corralRetriever(): RetrieverClass {
  if (retrieverClass) return retrieverClass;
  const load = createRequire(import.meta.url);
  const esm = <T>(specifier: string): T => load(fileURLToPath(import.meta.resolve(specifier))) as T;
  const { BaseRetriever } = esm<typeof import("@langchain/core/retrievers")>("@langchain/core/retrievers");
  const { Document } = esm<typeof import("@langchain/core/documents")>("@langchain/core/documents");
  retrieverClass = class CorralRetriever extends BaseRetriever {
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
  };
  return retrieverClass;
}

/**
 * A LangChain retriever over an index: `invoke(query)` returns `Document`s whose metadata
 * holds `source` (the path), `loc.lines` or `page`, `headingPath`, `score` and the document's metadata.
 * @example
 * const docs = await asLangChainRetriever(index, { k: 4 }).invoke("rotate keys");
 */
export function asLangChainRetriever(index: Index, options: LangChainRetrieverOptions = {}): BaseRetriever {
  return new (corralRetriever())(index, options);
}

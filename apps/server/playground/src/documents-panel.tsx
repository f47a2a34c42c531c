import { useState } from "preact/hooks";
import { getJson, type Hit, type IndexStatus, location, type UploadResult, uploadDocument } from "./api.js";

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Uploads (with progress, then the sync report), the index's state, and a search of the documents. */
export function DocumentsPanel({
  status,
  onChanged,
  onError,
}: {
  status: IndexStatus | undefined;
  onChanged: () => void;
  onError: (error: unknown) => void;
}) {
  const [progress, setProgress] = useState<number | undefined>(undefined);
  const [report, setReport] = useState<UploadResult | undefined>(undefined);
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<Hit[] | undefined>(undefined);

  async function upload(input: HTMLInputElement) {
    const file = input.files?.[0];
    if (!file) return;
    setReport(undefined);
    setProgress(0);
    try {
      setReport(await uploadDocument(file, setProgress));
      onChanged();
    } catch (error) {
      onError(error);
    } finally {
      setProgress(undefined);
      input.value = "";
    }
  }

  async function search(event: Event) {
    event.preventDefault();
    if (!query.trim()) return;
    try {
      const result = await getJson<{ data: Hit[] }>(`/v1/search?${new URLSearchParams({ q: query.trim(), k: "5" })}`);
      setHits(result.data);
    } catch (error) {
      onError(error);
    }
  }

  return (
    <section class="panel documents" aria-labelledby="documents-title">
      <h2 id="documents-title">Documents</h2>
      <p class="index-state" aria-live="polite">
        {status
          ? `${count(status.documents, "document")} · ${count(status.chunks, "chunk")} · ${count(status.pending_embeddings, "pending embedding")}`
          : "Index state unknown"}
      </p>
      {status?.keyword_only_reason && <p class="hint">Keyword search only: {status.keyword_only_reason}</p>}
      <label class="upload">
        Upload a document
        <input type="file" onChange={(event) => upload(event.currentTarget)} disabled={progress !== undefined} />
      </label>
      {progress !== undefined && (
        <progress class="upload-progress" max={1} value={progress} aria-label="Upload progress">
          {Math.round(progress * 100)}%
        </progress>
      )}
      {report && (
        <p class="upload-report" role="status">
          {report.name}: {report.report.added} added, {report.report.updated} updated, {report.report.unchanged} unchanged;{" "}
          {count(report.report.chunksAdded, "chunk")}, {count(report.report.pendingEmbeddings, "pending embedding")}
          {report.report.warnings.length ? ` (${report.report.warnings.join(" ")})` : ""}
        </p>
      )}
      {status && status.data.length > 0 && (
        <ul class="document-list" aria-label="Indexed documents">
          {status.data.map((document) => (
            <li key={document.id}>{document.path}</li>
          ))}
        </ul>
      )}
      <form class="search" onSubmit={search}>
        <label for="search-input">Search the documents</label>
        <div class="row">
          <input id="search-input" type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
          <button type="submit">Search</button>
        </div>
      </form>
      {hits && (
        <ol class="search-hits" aria-label="Search results">
          {hits.length === 0 && <li>No passages found.</li>}
          {hits.map((hit) => (
            <li key={hit.id}>
              <code>{location(hit.source)}</code>
              <p>{hit.text.length > 200 ? `${hit.text.slice(0, 199)}…` : hit.text}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

import { useEffect, useRef } from "preact/hooks";
import { type Hit, location, type Source } from "./api.js";

/** The cited passage of a source, with its `path:line`, in a modal dialog (Escape closes it). */
export function PassageDialog({ source, hit, onClose }: { source: Source; hit: Hit | undefined; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="passage" aria-labelledby="passage-title" onClose={onClose}>
      <h2 id="passage-title">
        [{source.n}] <code class="passage-location">{location(hit ? { ...hit.source, path: hit.source.path } : source)}</code>
      </h2>
      {hit ? (
        <pre class="passage-text">{hit.text}</pre>
      ) : (
        <p>The passage's text came with the run that found it; search the documents for it.</p>
      )}
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}

import { useState } from "preact/hooks";

/** Asks for the server's API key; it is kept for this tab only (sessionStorage). */
export function KeyPrompt({ refused, onKey }: { refused: boolean; onKey: (key: string) => void }) {
  const [key, setKey] = useState("");
  return (
    <form
      class="key-prompt"
      aria-labelledby="key-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (key.trim()) onKey(key.trim());
      }}
    >
      <h2 id="key-title">This server needs an API key</h2>
      {refused && (
        <p class="error" role="alert">
          The server refused that key.
        </p>
      )}
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="off"
        required
        value={key}
        onInput={(event) => setKey(event.currentTarget.value)}
        autofocus
      />
      <p class="hint">Kept for this tab only: closing the tab forgets it.</p>
      <button type="submit">Use this key</button>
    </form>
  );
}

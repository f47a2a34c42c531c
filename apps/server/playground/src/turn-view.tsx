import { location, type Source } from "./api.js";
import { MarkdownView } from "./markdown-view.js";
import type { Turn } from "./turns.js";

function argsText(args: Record<string, unknown>): string {
  const text = JSON.stringify(args);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

const TOOL_STATE = { running: "running…", done: "done", failed: "failed" } as const;

/** One message: the user's text, or the assistant's answer with its thinking, tools and sources. */
export function TurnView({ turn, onSource }: { turn: Turn; onSource: (turn: Turn, source: Source) => void }) {
  if (turn.role === "user") {
    return (
      <article class="turn user" aria-label="Your message">
        <p class="user-text">{turn.text}</p>
      </article>
    );
  }
  return (
    <article class="turn assistant" aria-label="Answer" aria-busy={turn.status === "streaming"}>
      {turn.thinking && (
        <details class="thinking">
          <summary>Thinking</summary>
          <p class="thinking-text">{turn.thinking}</p>
        </details>
      )}
      {turn.tools.length > 0 && (
        <ul class="tools" aria-label="Tool activity">
          {turn.tools.map((tool) => (
            <li key={tool.id} class={`tool ${tool.state}`}>
              <span class="tool-name">{tool.name}</span> <code class="tool-args">{argsText(tool.args)}</code>{" "}
              <span class="tool-state">{TOOL_STATE[tool.state]}</span>
            </li>
          ))}
        </ul>
      )}
      {turn.text ? <MarkdownView text={turn.text} /> : turn.status === "streaming" && <p class="waiting">Working…</p>}
      {turn.status === "stopped" && <p class="notice">Stopped.</p>}
      {turn.status === "failed" && (
        <p class="error" role="alert">
          {turn.error}
        </p>
      )}
      {turn.sources.length > 0 && (
        <nav class="sources" aria-label="Sources">
          <h3>Sources</h3>
          <ol>
            {turn.sources.map((source) => (
              <li key={source.n}>
                <button type="button" class="source" onClick={() => onSource(turn, source)}>
                  [{source.n}] {location(source)}
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}
    </article>
  );
}

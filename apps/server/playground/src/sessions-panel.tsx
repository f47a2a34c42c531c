import type { SessionSummary } from "./api.js";

/** The stored sessions: resume one, delete one, or start a new chat. */
export function SessionsPanel(props: {
  sessions: SessionSummary[];
  current: string | undefined;
  busy: boolean;
  onNew: () => void;
  onResume: (id: string) => void;
  onDelete: (id: string) => void;
}) {
  return (
    <section class="panel sessions" aria-labelledby="sessions-title">
      <div class="panel-head">
        <h2 id="sessions-title">Sessions</h2>
        <button type="button" onClick={props.onNew} disabled={props.busy}>
          New chat
        </button>
      </div>
      {props.sessions.length === 0 ? (
        <p class="empty">No sessions yet.</p>
      ) : (
        <ul class="session-list">
          {props.sessions.map((session) => {
            const title = session.title ?? "(unreadable session)";
            return (
              <li key={session.id} class={session.id === props.current ? "session current" : "session"}>
                <button
                  type="button"
                  class="session-resume"
                  aria-current={session.id === props.current ? "true" : undefined}
                  disabled={props.busy}
                  title={`${session.agent} · ${session.updated_at}`}
                  onClick={() => props.onResume(session.id)}
                >
                  {title}
                </button>
                <button
                  type="button"
                  class="session-delete"
                  aria-label={`Delete session ${title}`}
                  disabled={props.busy}
                  onClick={() => props.onDelete(session.id)}
                >
                  ✕
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

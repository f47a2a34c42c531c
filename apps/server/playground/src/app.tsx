import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import {
  ApiError,
  getJson,
  type Hit,
  type IndexStatus,
  jsonBody,
  KeyRequiredError,
  request,
  type SessionSummary,
  type Source,
  type StoredSession,
  setApiKey,
} from "./api.js";
import { Composer } from "./composer.js";
import { DocumentsPanel } from "./documents-panel.js";
import { KeyPrompt } from "./key-prompt.js";
import { PassageDialog } from "./passage-dialog.js";
import { SessionsPanel } from "./sessions-panel.js";
import { readSse } from "./sse.js";
import { TurnView } from "./turn-view.js";
import { applyEvent, newTurn, type Turn, turnsOf } from "./turns.js";

/** The playground: agents, the conversation, sessions and documents, over the public API. */
export function App() {
  const [needKey, setNeedKey] = useState<{ refused: boolean } | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const [agents, setAgents] = useState<string[]>([]);
  const [agent, setAgent] = useState<string>("");
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [sessionId, setSessionId] = useState<string | undefined>(undefined);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [index, setIndex] = useState<IndexStatus | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [passage, setPassage] = useState<{ source: Source; hit: Hit | undefined } | undefined>(undefined);
  const [running, setRunning] = useState<AbortController | undefined>(undefined);
  const log = useRef<HTMLDivElement>(null);

  const fail = useCallback((cause: unknown) => {
    if (cause instanceof KeyRequiredError) setNeedKey({ refused: cause.refused });
    else setError(cause instanceof Error ? cause.message : String(cause));
  }, []);

  const loadSessions = useCallback(() => {
    getJson<{ data: SessionSummary[] }>("/v1/sessions?limit=50").then((list) => setSessions(list.data), fail);
  }, [fail]);
  const loadIndex = useCallback(() => {
    getJson<IndexStatus>("/v1/index").then(setIndex, fail);
  }, [fail]);

  useEffect(() => {
    getJson<{ data: { id: string }[] }>("/v1/models").then((models) => {
      const names = models.data.map((model) => model.id);
      setAgents(names);
      setAgent((current) => current || (names.includes("default") ? "default" : (names[0] ?? "")));
      loadSessions();
      loadIndex();
    }, fail);
  }, [generation, loadSessions, loadIndex, fail]);

  useEffect(() => {
    const element = log.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [turns]);

  const patchLast = (update: (turn: Turn) => Turn) =>
    setTurns((list) => (list.length ? [...list.slice(0, -1), update(list[list.length - 1]!)] : list));

  async function send(text: string) {
    setError(undefined);
    const controller = new AbortController();
    setRunning(controller);
    setTurns((list) => [...list, newTurn("user", text), newTurn("assistant")]);
    try {
      const body = { input: text, stream: true, ...(sessionId ? { session_id: sessionId } : {}) };
      const init = jsonBody(body);
      const response = await request(`/v1/agents/${encodeURIComponent(agent)}/runs`, {
        ...init,
        headers: { ...init.headers, accept: "text/event-stream" },
        signal: controller.signal,
      });
      if (!response.body) throw new ApiError(0, "no_body", "The server sent no stream.");
      for await (const { event, data } of readSse(response.body)) {
        const parsed = JSON.parse(data) as Record<string, any>;
        patchLast((turn) => applyEvent(turn, event, parsed));
        if (event === "finish" && typeof parsed.session_id === "string") setSessionId(parsed.session_id);
      }
      patchLast((turn) => (turn.status === "streaming" ? { ...turn, status: "failed", error: "The stream ended early." } : turn));
      loadSessions();
    } catch (cause) {
      if (controller.signal.aborted) {
        patchLast((turn) => ({ ...turn, status: "stopped" }));
      } else {
        patchLast((turn) => ({ ...turn, status: "failed", error: cause instanceof Error ? cause.message : String(cause) }));
        if (cause instanceof KeyRequiredError) fail(cause);
      }
    } finally {
      setRunning(undefined);
    }
  }

  async function resume(id: string) {
    setError(undefined);
    try {
      const session = await getJson<StoredSession>(`/v1/sessions/${encodeURIComponent(id)}`);
      setSessionId(session.id);
      setAgent(session.agent);
      setTurns(turnsOf(session.messages, session.sources));
    } catch (cause) {
      fail(cause);
    }
  }

  async function remove(id: string) {
    setError(undefined);
    try {
      await request(`/v1/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
      if (id === sessionId) startNew();
      loadSessions();
    } catch (cause) {
      fail(cause);
    }
  }

  function startNew() {
    setSessionId(undefined);
    setTurns([]);
  }

  if (needKey) {
    return (
      <main class="key-page">
        <KeyPrompt
          refused={needKey.refused}
          onKey={(key) => {
            setApiKey(key);
            setNeedKey(undefined);
            setGeneration((value) => value + 1);
          }}
        />
      </main>
    );
  }

  return (
    <div class="layout">
      <header class="top">
        <h1>corral</h1>
        <div class="agent-picker">
          <label for="agent">Agent</label>
          <select
            id="agent"
            value={agent}
            disabled={running !== undefined}
            onChange={(event) => {
              setAgent(event.currentTarget.value);
              startNew();
            }}
          >
            {agents.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </header>
      <aside class="side">
        <SessionsPanel
          sessions={sessions}
          current={sessionId}
          busy={running !== undefined}
          onNew={startNew}
          onResume={resume}
          onDelete={remove}
        />
        <DocumentsPanel status={index} onChanged={loadIndex} onError={fail} />
      </aside>
      <main class="chat">
        {error && (
          <p class="error banner" role="alert">
            {error}
          </p>
        )}
        <div class="log" ref={log} role="log" aria-label="Conversation" aria-live="polite">
          {turns.length === 0 && <p class="empty">Ask the agent something about your documents.</p>}
          {turns.map((turn) => (
            <TurnView
              key={turn.key}
              turn={turn}
              onSource={(of, source) => setPassage({ source, hit: source.id ? of.passages[source.id] : undefined })}
            />
          ))}
        </div>
        <Composer running={running !== undefined} disabled={!agent} onSend={send} onStop={() => running?.abort()} />
      </main>
      {passage && <PassageDialog source={passage.source} hit={passage.hit} onClose={() => setPassage(undefined)} />}
    </div>
  );
}

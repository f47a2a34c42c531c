import { useState } from "preact/hooks";

/** The message box: Enter sends, Shift+Enter breaks the line; Stop aborts the run. */
export function Composer({
  running,
  disabled,
  onSend,
  onStop,
}: {
  running: boolean;
  disabled: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
}) {
  const [text, setText] = useState("");
  const send = () => {
    if (running || disabled || !text.trim()) return;
    onSend(text);
    setText("");
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label for="message" class="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        rows={3}
        placeholder="Ask something (Enter sends, Shift+Enter for a new line)"
        value={text}
        disabled={disabled}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      {running ? (
        <button type="button" class="stop" onClick={onStop}>
          Stop
        </button>
      ) : (
        <button type="submit" disabled={disabled || !text.trim()}>
          Send
        </button>
      )}
    </form>
  );
}

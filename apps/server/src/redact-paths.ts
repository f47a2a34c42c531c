/** What stands in for a server file path in a message a client sees. */
export const REDACTED_PATH = "<server path>";

// An absolute POSIX path (after the start, a space, a quote, a bracket or "=") or a Windows
// drive path, up to a space, a quote or a closing bracket; a trailing ".,;:" stays outside.
const ABSOLUTE_PATH = /(^|[\s"'`([{=])(?:\/|[A-Za-z]:[\\/])[^\s"'`)\]}<>]*?(?=[.,;:!?]*(?:[\s"'`)\]}<>]|$))/g;

/**
 * The message with every absolute file path replaced by {@link REDACTED_PATH}, so errors thrown
 * deep in rag or core (an index folder, a lock file, a config file) tell a client what went wrong
 * without showing the server's file layout. URLs are kept (their slashes follow a ":").
 */
export function redactPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, (_match, before: string) => `${before}${REDACTED_PATH}`);
}

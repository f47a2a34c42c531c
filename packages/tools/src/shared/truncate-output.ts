/** Default number of characters a tool hands back to the model. */
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000;

/**
 * Cuts `text` to `maxChars` and, when it cuts, appends a note that tells the model the output
 * was truncated and how to get the rest.
 */
export function truncateOutput(text: string, maxChars: number, hint = "narrow the request to see more"): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}${truncationNote(text.length - maxChars, hint)}`;
}

/** The note `truncateOutput` appends, for output that was cut elsewhere (e.g. in a child process). */
export function truncationNote(omitted: number, hint = "narrow the request to see more"): string {
  return `\n[output truncated: ${omitted} more characters omitted; ${hint}]`;
}

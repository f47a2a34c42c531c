/** Default number of characters a tool hands back to the model. */
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000;

/**
 * Cuts `text` to `maxChars` and, when it cuts, appends a note that tells the model the output
 * was truncated and how to get the rest.
 */
export function truncateOutput(text: string, maxChars: number, hint = "narrow the request to see more"): string {
  if (text.length <= maxChars) return text;
  const omitted = text.length - maxChars;
  return `${text.slice(0, maxChars)}\n[output truncated: ${omitted} more characters omitted; ${hint}]`;
}

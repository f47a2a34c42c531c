import type { z } from "zod";
import { suggestOptionName } from "./model-settings-schema.js";

/** One line per issue: `"server.port": must be <= 65535`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.map(String).join(".") : "(root)";
      if (issue.code === "unrecognized_keys") {
        const where = issue.path.length ? ` in "${path}"` : "";
        const keys = issue.keys.map((key) => `"${key}"`).join(", ");
        // Ollama's option names are easy to misspell; name the one that was probably meant.
        const suggestion = issue.path.at(-1) === "options" && issue.keys.length === 1 ? suggestOptionName(issue.keys[0]!) : undefined;
        const hint = suggestion ? `did you mean "${suggestion}"?` : "check the spelling";
        return `unknown field${issue.keys.length > 1 ? "s" : ""} ${keys}${where} (${hint})`;
      }
      return `"${path}": ${issue.message}`;
    })
    .join("; ");
}

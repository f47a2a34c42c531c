import type { z } from "zod";

/** One line per issue: `"server.port": must be <= 65535`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.map(String).join(".") : "(root)";
      if (issue.code === "unrecognized_keys") {
        const where = issue.path.length ? ` in "${path}"` : "";
        return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}${where} (check the spelling)`;
      }
      return `"${path}": ${issue.message}`;
    })
    .join("; ");
}

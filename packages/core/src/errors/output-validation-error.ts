import { AgentError } from "./agent-error.js";

/** The final answer did not match the `output` schema, even after one retry. */
export class OutputValidationError extends AgentError {
  /** The model's raw text. */
  readonly text: string;

  constructor(text: string, issues: string) {
    super("output_invalid", `The model's answer did not match the output schema: ${issues}`);
    this.text = text;
  }
}

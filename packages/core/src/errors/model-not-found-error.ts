import { AgentError } from "./agent-error.js";

/** Ollama does not have the model (HTTP 404). */
export class ModelNotFoundError extends AgentError {
  readonly model: string;

  constructor(model: string, options?: { cause?: unknown }) {
    super("model_not_found", `Model "${model}" is not available in Ollama. Pull it with \`ollama pull ${model}\`.`, options);
    this.model = model;
  }
}

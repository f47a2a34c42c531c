import { AgentError } from "./agent-error.js";

/** The model lacks a capability the request needs (`tools`, `thinking`, `vision`, ...). */
export class ModelCapabilityError extends AgentError {
  readonly model: string;
  readonly capability: string;

  constructor(model: string, capability: string, options?: { cause?: unknown }) {
    const hint =
      capability === "tools"
        ? "Use a model with tool support (for example qwen3:4b or llama3.1:8b), or run the agent without tools."
        : `Use a model with the "${capability}" capability (see \`ollama show ${model}\`).`;
    super("model_capability_missing", `Model "${model}" does not support ${capability}. ${hint}`, options);
    this.model = model;
    this.capability = capability;
  }
}

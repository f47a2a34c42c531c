import type { FakeState } from "../fake-state.js";
import type { FakeModel } from "../models/fake-model.js";
import { canonicalModelName } from "../models/model-name.js";
import { checkThink } from "../script/native-messages.js";

/** A failed check: the HTTP status and Ollama's message. */
export interface CheckFailure {
  status: number;
  message: string;
}

/** The body as a plain object, or undefined. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The model name from `model` or its alias `name`. */
export function modelField(body: Record<string, unknown>): string {
  const value = body.model ?? body.name;
  return typeof value === "string" ? value.trim() : "";
}

/**
 * Checks a generation request the way Ollama does before it generates: the model exists, can generate,
 * supports tools when tools are sent, and supports thinking when `think` asks for it.
 */
export function checkGenerationModel(
  state: FakeState,
  body: Record<string, unknown>,
  action: "chat" | "generate",
): { model: FakeModel; name: string } | CheckFailure {
  const name = modelField(body);
  if (name === "") return { status: 400, message: "model is required" };
  const model = state.findModel(name);
  if (!model) return { status: 404, message: `model '${name}' not found` };
  if (!model.capabilities.includes("completion")) return { status: 400, message: `"${name}" does not support ${action}` };
  const thinkError = checkThink(body.think);
  if (thinkError) return { status: 400, message: thinkError };
  if (Array.isArray(body.tools) && body.tools.length > 0 && !model.capabilities.includes("tools")) {
    return { status: 400, message: `${canonicalModelName(name)} does not support tools` };
  }
  if (body.think !== undefined && body.think !== null && body.think !== false && !model.capabilities.includes("thinking")) {
    return { status: 400, message: `"${name}" does not support thinking` };
  }
  return { model, name };
}

/** True when a check failed. */
export function isFailure(value: object): value is CheckFailure {
  return "status" in value && "message" in value;
}

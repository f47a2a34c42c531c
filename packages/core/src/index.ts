export { Agent } from "./agent/agent.js";
export type { AgentEvent, AgentEventType, ToolResultEventData } from "./agent/agent-event.js";
export type { AgentInput, AgentOptions, ApprovalRequest, ImageInput, RunOptions } from "./agent/agent-options.js";
export type { AgentResult, FinishReason, StepResult, ToolFailure, ToolResult, ToolSuccess } from "./agent/agent-result.js";
export {
  type ContextReserve,
  type ContextSource,
  type ContextWindow,
  contextReserve,
  DEFAULT_CONTEXT_TOKENS,
  resolveContextWindow,
} from "./agent/context-policy.js";
export { estimateTokens } from "./agent/context-window.js";
export { AbortError } from "./errors/abort-error.js";
export { AgentError, type AgentErrorCode, type CoreErrorCode, isAgentError } from "./errors/agent-error.js";
export { ConfigError } from "./errors/config-error.js";
export { ContextOverflowError } from "./errors/context-overflow-error.js";
export { ModelCallError } from "./errors/model-call-error.js";
export { ModelCapabilityError } from "./errors/model-capability-error.js";
export { ModelNotFoundError } from "./errors/model-not-found-error.js";
export { OllamaUnreachableError } from "./errors/ollama-unreachable-error.js";
export { OutputValidationError } from "./errors/output-validation-error.js";
export { TimeoutError } from "./errors/timeout-error.js";
export { ToolExecutionError, type ToolFailureReason, ToolInputError, ToolNotFoundError } from "./errors/tool-errors.js";
export type {
  CallOptions,
  ChatModel,
  ChatRequest,
  ChatResponse,
  ChatStreamPart,
  DoneReason,
  JsonSchema,
  ModelDurations,
  ModelInfo,
  ModelOptions,
  Think,
  ToolChoice,
  ToolSpec,
} from "./model/chat-model.js";
export { addUsage, emptyUsage, type Message, type Role, type ToolCall, type Usage } from "./model/message.js";
export { type ModelfileParameters, parseModelfileParameters } from "./model/modelfile-parameters.js";
export { createOllamaChatModel, type OllamaChatModelOptions } from "./ollama/ollama-chat-model.js";
export {
  DEFAULT_OLLAMA_CONNECT_TIMEOUT_MS,
  DEFAULT_OLLAMA_IDLE_TIMEOUT_MS,
  DEFAULT_OLLAMA_TIMEOUT_MS,
} from "./ollama/ollama-time-limits.js";
export {
  createOllamaTransport,
  type OllamaCallOptions,
  type OllamaTransport,
  type OllamaTransportOptions,
} from "./ollama/ollama-transport.js";
export { resolveOllamaHost } from "./ollama/resolve-ollama-host.js";
export {
  InMemorySessionStore,
  parseSessionData,
  parseSessionMessages,
  type SessionData,
  type SessionLease,
  type SessionListOptions,
  type SessionRecord,
  type SessionSaveOptions,
  type SessionStore,
  type SessionSummary,
  type SharedSessionStore,
  sessionTitle,
} from "./session/session-store.js";
export { corralTracer, endCorralSpan, inSpan, startCorralSpan, withSpanContext } from "./telemetry/corral-tracer.js";
export {
  CORRAL_CHANNELS,
  type ModelCallRecord,
  type OllamaErrorRecord,
  publishModelCall,
  publishOllamaError,
  publishRun,
  type RunRecord,
} from "./telemetry/telemetry-channels.js";
export {
  defineTool,
  type InferToolInput,
  type ParseResult,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  type ToolInput,
} from "./tool/define-tool.js";
export { type JsonSchemaInput, jsonSchema } from "./tool/json-schema-input.js";
export { readPackageVersion } from "./util/package-version.js";

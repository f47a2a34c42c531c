export type { ConfigErrorCode } from "./config-error-code.js";
export { configJsonSchema } from "./config-json-schema.js";
export {
  type AgentConfig,
  agentConfigSchema,
  type CorralConfig,
  type CorralConfigInput,
  configSchema,
  type ServerConfig,
  serverConfigSchema,
} from "./config-schema.js";
export { configTemplate, type WriteConfigTemplateOptions, writeConfigTemplate } from "./config-template.js";
export { type ConnectMcpServersOptions, connectMcpServers, type McpServersConnection } from "./connect-mcp-servers.js";
export {
  type AgentRuntime,
  type AgentRuntimeOptions,
  agentModelSettings,
  CITATION_INSTRUCTIONS,
  createAgentRuntime,
  type DocumentIndex,
  ollamaConnection,
} from "./create-agent-runtime.js";
export { defaultConfig } from "./default-config.js";
export { describeIndexLocation, isDatabaseIndex, localStateDir } from "./index-location.js";
export { CONFIG_FILE_NAME, type ConfigFlags, type LoadConfigOptions, type LoadedConfig, loadConfig } from "./load-config.js";
export {
  approveSchema,
  type McpServerConfig,
  mcpServerConfigSchema,
  mcpServerNameSchema,
  toolNameSchema,
} from "./mcp-server-config.js";
export { keepAliveSchema, MODEL_OPTION_NAMES, modelOptionsSchema, thinkSchema } from "./model-settings-schema.js";
export { configuredIndexExists, type OpenConfiguredIndexOptions, openConfiguredIndex } from "./open-configured-index.js";
export { syncSettings } from "./sync-settings.js";

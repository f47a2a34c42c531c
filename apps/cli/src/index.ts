export { type ChatSessionData, SessionFiles } from "./chat/session-files.js";
export { CliContext, type GlobalOptions } from "./cli-context.js";
export { CliError, type CliErrorCode, UsageError } from "./cli-error.js";
export { type CliInput, type CliIo, type CliOutput, processIo } from "./cli-io.js";
export { main } from "./main.js";
export { ExitCode } from "./report-error.js";

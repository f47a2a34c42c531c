export { type CallToolContext, type CallToolOutcome, callTool } from "./call-tool.js";
export {
  createScriptedChatModel,
  type ScriptedChatModel,
  type ScriptedChatModelOptions,
  type ScriptedTurn,
} from "./scripted-chat-model.js";

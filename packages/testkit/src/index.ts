export { type FakeEmbeddingOptions, fakeEmbedding } from "./embeddings/fake-embedding.js";
export type {
  DropFault,
  ErrorLineFault,
  FakeFault,
  FakeFaultRule,
  FakeFaultScope,
  HangFault,
  InvalidLineFault,
  LatencyFault,
  StallFault,
  StatusFault,
} from "./faults/fake-fault.js";
export {
  defaultFakeModels,
  type FakeContextOverflow,
  type FakeModel,
  type FakeToolCallChunks,
} from "./models/fake-model.js";
export type { RecordedRequest } from "./recorded-request.js";
export type { FakeChatHandler, FakeChatInfo, FakeChatRequest, FakeMessage, FakeToolCall, FakeTurn } from "./script/fake-turn.js";
export { FAKE_OLLAMA_VERSION, type FakeOllama, type FakeOllamaOptions, startFakeOllama } from "./start-fake-ollama.js";

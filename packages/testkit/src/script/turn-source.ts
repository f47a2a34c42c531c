import { validateFault } from "../faults/fault-registry.js";
import type { FakeChatHandler, FakeChatRequest, FakeTurn } from "./fake-turn.js";

/** The reply used when nothing is scripted: short, deterministic, and naming the last user message. */
export function defaultTurn(request: FakeChatRequest): FakeTurn {
  const lastUser = [...request.messages].reverse().find((message) => message.role === "user");
  return { content: lastUser ? `You said: ${lastUser.content}` : "Hello from the fake Ollama." };
}

/** Hands out scripted turns: queued turns first, then the handler, then the default reply. */
export class TurnSource {
  readonly #queue: FakeTurn[] = [];
  readonly #handler: FakeChatHandler | undefined;
  #index = 0;

  constructor(script: FakeTurn[] | FakeChatHandler | undefined) {
    if (typeof script === "function") this.#handler = script;
    else if (script !== undefined) this.enqueue(...script);
  }

  /** Appends turns to the queue. */
  enqueue(...turns: FakeTurn[]): void {
    for (const turn of turns) validateTurn(turn);
    this.#queue.push(...turns);
  }

  /** How many queued turns are left. */
  get pending(): number {
    return this.#queue.length;
  }

  /** The next reply for a request. */
  async next(request: FakeChatRequest): Promise<FakeTurn> {
    const index = this.#index++;
    const queued = this.#queue.shift();
    if (queued) return queued;
    if (this.#handler) {
      const turn = await this.#handler(request, { index });
      validateTurn(turn);
      return turn;
    }
    return defaultTurn(request);
  }
}

/** Throws a TypeError naming the bad field of a turn. */
export function validateTurn(turn: FakeTurn): void {
  const where = "fake Ollama turn";
  if (turn === null || typeof turn !== "object") throw new TypeError(`${where} must be an object, got ${JSON.stringify(turn)}`);
  for (const key of ["content", "thinking"] as const) {
    if (turn[key] !== undefined && typeof turn[key] !== "string") throw new TypeError(`${where}: "${key}" must be a string`);
  }
  if (turn.chunkSize !== undefined && (!Number.isInteger(turn.chunkSize) || turn.chunkSize < 1)) {
    throw new TypeError(`${where}: "chunkSize" must be a positive integer`);
  }
  if (turn.toolCalls !== undefined) {
    if (!Array.isArray(turn.toolCalls)) throw new TypeError(`${where}: "toolCalls" must be an array`);
    for (const call of turn.toolCalls) {
      if (!call || typeof call.name !== "string" || call.name === "") throw new TypeError(`${where}: every tool call needs a "name"`);
      if (call.arguments === undefined) throw new TypeError(`${where}: tool call "${call.name}" needs "arguments" (use {} for none)`);
    }
  }
  if (turn.doneReason !== undefined && turn.doneReason !== "stop" && turn.doneReason !== "length") {
    throw new TypeError(`${where}: "doneReason" must be "stop" or "length"`);
  }
  if (turn.toolCallChunks !== undefined && !["separate", "each", "done"].includes(turn.toolCallChunks)) {
    throw new TypeError(`${where}: "toolCallChunks" must be "separate", "each" or "done"`);
  }
  if (turn.fault !== undefined) validateFault(turn.fault);
}

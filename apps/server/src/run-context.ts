import { AbortError, isAgentError, TimeoutError } from "@corral/core";
import type { FastifyReply } from "fastify";
import { ShuttingDownError } from "./server-errors.js";

/** Why a run was cancelled. */
export type CancelReason = "client" | "timeout" | "shutdown";

/**
 * The cancellation of one request's run: the client disconnecting, the request time limit, or
 * the server shutting down all abort `signal`, which reaches the agent and its call to Ollama.
 */
export class RunContext {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #timeoutMs: number;
  readonly #onClose: () => void;
  readonly #onShutdown: () => void;
  readonly #reply: FastifyReply;
  readonly #shutdown: AbortSignal;
  #reason?: CancelReason;

  constructor(reply: FastifyReply, timeoutMs: number, shutdown: AbortSignal) {
    this.#reply = reply;
    this.#timeoutMs = timeoutMs;
    this.#shutdown = shutdown;
    this.#onClose = () => {
      if (!reply.raw.writableFinished) this.cancel("client");
    };
    this.#onShutdown = () => this.cancel("shutdown");
    reply.raw.on("close", this.#onClose);
    shutdown.addEventListener("abort", this.#onShutdown, { once: true });
    this.#timer = setTimeout(() => this.cancel("timeout"), timeoutMs);
    this.#timer.unref();
  }

  /** Aborts when the run must stop. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the run was cancelled, if it was. */
  get reason(): CancelReason | undefined {
    return this.#reason;
  }

  /** Cancels the run. */
  cancel(reason: CancelReason): void {
    if (this.#controller.signal.aborted) return;
    this.#reason = reason;
    this.#controller.abort(new AbortError(`The run was cancelled (${reason}).`));
  }

  /** The error to report for a failure: an abort caused by the time limit or a shutdown says so. */
  explain(error: unknown): unknown {
    const aborted = isAgentError(error) && error.code === "aborted";
    if (aborted || this.#controller.signal.aborted) {
      if (this.#reason === "timeout") return new TimeoutError("The request", this.#timeoutMs, { cause: error });
      if (this.#reason === "shutdown") return new ShuttingDownError();
    }
    return error;
  }

  /** Stops listening; call when the request is done. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#reply.raw.off("close", this.#onClose);
    this.#shutdown.removeEventListener("abort", this.#onShutdown);
  }
}

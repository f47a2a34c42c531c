import { AbortError, TimeoutError } from "@corral/core";

/**
 * A signal that aborts when `parent` aborts or `timeoutMs` passes, whichever comes first.
 * The timeout's reason is a TimeoutError naming `what`.
 */
export function withTimeout(parent: AbortSignal | undefined, timeoutMs: number, what: string): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(what, timeoutMs)), timeoutMs);
  timer.unref?.();
  controller.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener("abort", () => controller.abort(parent.reason), { once: true, signal: controller.signal });
  }
  return controller.signal;
}

/** Throws the signal's reason (an AbortError when it has none) if it is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** The error a tool should throw for an aborted signal. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== "AbortError") return reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError("The tool call was aborted.");
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

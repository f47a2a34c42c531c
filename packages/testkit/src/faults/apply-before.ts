import type { RequestContext } from "../http/request-context.js";
import { sendError, sendText } from "../http/send.js";
import { untilAborted } from "../http/sleep.js";
import type { HangFault, StatusFault } from "./fake-fault.js";

/** Default messages for status faults, close to what Ollama says. */
function defaultMessage(status: number): string {
  if (status === 503) return "server busy, please try again.  maximum pending requests exceeded";
  if (status === 500) return "llama runner process has terminated: exit status 2";
  return `fake error ${status}`;
}

/** Applies a fault that happens before any byte: a hang waits until the client or the fake closes. */
export async function applyBeforeFault(ctx: RequestContext, fault: StatusFault | HangFault): Promise<void> {
  if (fault.type === "hang") {
    await untilAborted(ctx.signal);
    return;
  }
  const message = fault.message ?? defaultMessage(fault.status);
  if (fault.plain) sendText(ctx.res, fault.status, message);
  else sendError(ctx.res, ctx.path, fault.status, message);
}

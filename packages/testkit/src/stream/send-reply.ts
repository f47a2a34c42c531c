import type { FaultPlan } from "../faults/fault-plan.js";
import type { RequestContext } from "../http/request-context.js";
import { sendError, sendJson } from "../http/send.js";
import { sleep, untilAborted } from "../http/sleep.js";
import { dropConnection } from "./chunk-stream.js";

/**
 * Sends a non-streamed JSON reply through the plan's faults: latency once before the reply, `drop`
 * destroys the socket without a byte, `error-line` becomes a 500 with the message, `stall` sends the
 * headers and then no body until the client gives up.
 */
export async function sendReply(ctx: RequestContext, plan: FaultPlan, status: number, body: unknown): Promise<void> {
  if (plan.latencyMs > 0 && !(await sleep(plan.latencyMs, ctx.signal))) return;
  if (plan.terminal?.type === "drop") {
    dropConnection(ctx.res);
    return;
  }
  if (plan.terminal?.type === "stall") {
    ctx.res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    ctx.res.flushHeaders();
    await untilAborted(ctx.signal);
    return;
  }
  if (plan.terminal?.type === "error-line") {
    sendError(ctx.res, ctx.path, 500, plan.terminal.message);
    return;
  }
  sendJson(ctx.res, status, body);
}

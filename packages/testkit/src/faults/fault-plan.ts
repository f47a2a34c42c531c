import type { DropFault, ErrorLineFault, FakeFault, HangFault, StatusFault } from "./fake-fault.js";

/** The faults that apply to one reply. */
export interface FaultPlan {
  /** Applied before any byte: a status reply or a hang. */
  before?: StatusFault | HangFault;
  /** Milliseconds to wait before every chunk. */
  latencyMs: number;
  /** What ends the stream early. */
  terminal?: DropFault | ErrorLineFault;
}

/** An empty plan. */
export function noFaults(): FaultPlan {
  return { latencyMs: 0 };
}

/** Adds one fault to a plan; a later fault of the same kind replaces the earlier one. */
export function withFault(plan: FaultPlan, fault: FakeFault | undefined): FaultPlan {
  if (!fault) return plan;
  switch (fault.type) {
    case "status":
    case "hang":
      return { ...plan, before: fault };
    case "latency":
      return { ...plan, latencyMs: fault.ms };
    case "drop":
    case "error-line":
      return { ...plan, terminal: fault };
  }
}

import type { DropFault, ErrorLineFault, FakeFault, HangFault, InvalidLineFault, StallFault, StatusFault } from "./fake-fault.js";

/** The faults that apply to one reply. */
export interface FaultPlan {
  /** Applied before any byte: a status reply or a hang. */
  before?: StatusFault | HangFault;
  /** Milliseconds to wait before every chunk. */
  latencyMs: number;
  /** Pace chunks from the stream's start (`LatencyFault.steady`) rather than from the chunk before. */
  latencySteady?: boolean;
  /** What ends the stream early (or, for `stall`, keeps it open and silent). */
  terminal?: DropFault | ErrorLineFault | StallFault;
  /** A line that is not JSON, written into the stream. */
  invalidLine?: InvalidLineFault;
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
      return { ...plan, latencyMs: fault.ms, latencySteady: fault.steady === true };
    case "drop":
    case "error-line":
    case "stall":
      return { ...plan, terminal: fault };
    case "invalid-line":
      return { ...plan, invalidLine: fault };
  }
}

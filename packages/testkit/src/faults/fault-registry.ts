import type { FakeFaultRule } from "./fake-fault.js";
import { type FaultPlan, noFaults, withFault } from "./fault-plan.js";

interface ActiveRule {
  rule: FakeFaultRule;
  remaining: number;
}

/** The global faults of one fake, with their remaining counts. */
export class FaultRegistry {
  readonly #rules: ActiveRule[] = [];

  /** Adds a rule; rules are matched in the order they were added. */
  add(rule: FakeFaultRule): void {
    validateFault(rule);
    this.#rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  /**
   * The faults for one request to `path`, using up one count of each rule that applies. A status or hang
   * fault wins alone (no other rule is used up); otherwise the first latency rule, the first drop,
   * error-line or stall rule and the first invalid-line rule apply together.
   */
  take(path: string): FaultPlan {
    const matching = this.#rules.filter((entry) => entry.remaining > 0 && (entry.rule.path === undefined || entry.rule.path === path));
    const before = matching.find((entry) => entry.rule.type === "status" || entry.rule.type === "hang");
    const used = before
      ? [before]
      : [
          matching.find((entry) => entry.rule.type === "latency"),
          matching.find((entry) => entry.rule.type === "drop" || entry.rule.type === "error-line" || entry.rule.type === "stall"),
          matching.find((entry) => entry.rule.type === "invalid-line"),
        ].filter((entry): entry is ActiveRule => entry !== undefined);
    let plan = noFaults();
    for (const entry of used) {
      entry.remaining -= 1;
      plan = withFault(plan, entry.rule);
    }
    return plan;
  }
}

/** Throws a TypeError for a fault object that cannot work. */
export function validateFault(fault: FakeFaultRule): void {
  const where = `fake Ollama fault ${JSON.stringify(fault)}`;
  const count = (value: unknown, name: string) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new TypeError(`${where}: "${name}" must be a non-negative integer`);
    }
  };
  switch (fault.type) {
    case "latency":
      count(fault.ms, "ms");
      if (fault.steady !== undefined && typeof fault.steady !== "boolean") throw new TypeError(`${where}: "steady" must be true or false`);
      break;
    case "drop":
    case "stall":
      count(fault.afterChunks, "afterChunks");
      break;
    case "invalid-line":
      count(fault.afterChunks, "afterChunks");
      if (fault.line !== undefined && (typeof fault.line !== "string" || fault.line.includes("\n"))) {
        throw new TypeError(`${where}: "line" must be a string without a newline`);
      }
      break;
    case "error-line":
      count(fault.afterChunks, "afterChunks");
      if (typeof fault.message !== "string") throw new TypeError(`${where}: "message" must be a string`);
      break;
    case "status":
      if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) {
        throw new TypeError(`${where}: "status" must be an HTTP error status (400-599)`);
      }
      break;
    case "hang":
      break;
    default:
      throw new TypeError(`${where}: "type" must be one of latency, drop, error-line, status, hang, stall, invalid-line`);
  }
  if (fault.times !== undefined) count(fault.times, "times");
  if (fault.path !== undefined && (typeof fault.path !== "string" || !fault.path.startsWith("/"))) {
    throw new TypeError(`${where}: "path" must start with "/", e.g. "/api/chat"`);
  }
}

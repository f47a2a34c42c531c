import { describe, expect, expectTypeOf, it } from "vitest";
import { AgentError, type CoreErrorCode, isAgentError } from "./agent-error.js";
import { ConfigError } from "./config-error.js";

type PluginCode = "plugin_failed" | "plugin_missing";

class PluginError extends AgentError<PluginCode> {
  constructor() {
    super("plugin_failed", "The plugin failed.");
  }
}

describe("AgentError codes", () => {
  it("are closed: core's union by default, a package's own union when it extends the base", () => {
    // @ts-expect-error "no_such_code" is not one of core's codes.
    const typo = new AgentError("no_such_code", "x");
    expect(typo.code).toBe("no_such_code");
    expectTypeOf(new AgentError("timeout", "x").code).toEqualTypeOf<CoreErrorCode>();
    expectTypeOf(new PluginError().code).toEqualTypeOf<PluginCode>();
    expectTypeOf(new ConfigError("bad").code).toEqualTypeOf<CoreErrorCode>();
    class Wrong extends AgentError<PluginCode> {
      constructor() {
        // @ts-expect-error a code outside the package's union does not compile.
        super("timeout", "x");
      }
    }
    expect(new Wrong().name).toBe("Wrong");
  });

  it("isAgentError accepts every package's errors, their code as a string", () => {
    const error: unknown = new PluginError();
    expect(isAgentError(error)).toBe(true);
    if (isAgentError(error)) expectTypeOf(error.code).toEqualTypeOf<string>();
    expect(isAgentError(new Error("plain"))).toBe(false);
  });
});

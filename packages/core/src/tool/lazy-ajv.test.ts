import { describe, expect, it } from "vitest";
import { lazyAjvCompiler } from "./lazy-ajv.js";
import { linearRegExp } from "./linear-reg-exp.js";

describe("lazyAjvCompiler", () => {
  it("compiles a schema with the same $id again (a long-lived server gets one per request), also after one that failed", () => {
    const compile = lazyAjvCompiler({ strict: false, code: { regExp: linearRegExp("refuse") } });
    const weather = () => ({ $id: "weather", type: "object", properties: { city: { type: "string" } }, required: ["city"] });
    expect(compile(weather())({ city: "Oslo" })).toBe(true);
    expect(compile(weather())({})).toBe(false);
    expect(() => compile({ $id: "pin", type: "string", pattern: "^(?=\\d)" })).toThrow(/linear time/);
    expect(compile({ $id: "pin", type: "string", pattern: "^\\d+$" })("1234")).toBe(true);
  });

  it("keeps every validator working across fresh instances, local $refs included", () => {
    const compile = lazyAjvCompiler({ allErrors: true, strict: false });
    const first = compile({
      $defs: { city: { type: "string", minLength: 2 } },
      type: "object",
      properties: { city: { $ref: "#/$defs/city" } },
    });
    // More compiles than one instance makes: the first validator came from an instance since replaced.
    const later = Array.from({ length: 600 }, (_, index) => compile({ type: "integer", maximum: index }));
    expect([first({ city: "Oslo" }), first({ city: "O" })]).toEqual([true, false]);
    expect([later[599]!(599), later[599]!(600), later[0]!(0), later[0]!(1)]).toEqual([true, false, true, false]);
  });
});

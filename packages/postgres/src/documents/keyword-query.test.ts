import { describe, expect, it } from "vitest";
import { toWebsearchQuery } from "./keyword-query.js";

describe("toWebsearchQuery", () => {
  it("ORs the query's distinct words, lower-cased", () => {
    expect(toWebsearchQuery("Rotate the KEYS, rotate!")).toBe("rotate or the or keys");
  });

  it("keeps no websearch syntax: quotes, minus signs and the word or", () => {
    expect(toWebsearchQuery('"exact phrase" -excluded OR other')).toBe("exact or phrase or excluded or other");
  });

  it("keeps letters of any script and digits, and is undefined without words", () => {
    expect(toWebsearchQuery("Größe 42 données")).toBe("größe or 42 or données");
    expect(toWebsearchQuery(" -- !! ")).toBeUndefined();
  });
});

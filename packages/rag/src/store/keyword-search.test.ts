import { describe, expect, it } from "vitest";
import { toFtsQuery } from "./keyword-search.js";

describe("toFtsQuery", () => {
  it("quotes words, drops stopwords and FTS5 syntax", () => {
    expect(toFtsQuery("How do I rotate the API keys?")).toBe('"rotate" OR "api" OR "keys"');
    expect(toFtsQuery('keys" OR NEAR(x) * -')).toBe('"keys" OR "near" OR "x"');
    expect(toFtsQuery("what is it")).toBe('"what" OR "is" OR "it"');
    expect(toFtsQuery("?! ...")).toBeUndefined();
  });
});

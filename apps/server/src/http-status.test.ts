import { ContextOverflowError, ModelCallError } from "@corral/core";
import { IndexDimensionMismatchError, IndexModelMismatchError, IndexStorageError, TooManyFilesError } from "@corral/rag";
import { ToolRefusedError } from "@corral/tools";
import { describe, expect, it } from "vitest";
import { toPublicError } from "./error-body.js";
import { httpStatusOf, isServerReachableCode, STATUS_BY_CODE } from "./http-status.js";
import { SessionBusyError } from "./server-errors.js";

describe("httpStatusOf", () => {
  it("gives the other packages' errors their own statuses instead of 500", () => {
    expect(httpStatusOf(new IndexStorageError("/srv/index/store.sqlite", "disk-full", "The disk is full."))).toBe(507);
    expect(httpStatusOf(new TooManyFilesError(10, "docs"))).toBe(400);
    expect(httpStatusOf(new IndexModelMismatchError("/srv/index", "nomic-embed-text", "all-minilm"))).toBe(409);
    expect(httpStatusOf(new IndexDimensionMismatchError("/srv/index", 768, 384))).toBe(409);
    expect(httpStatusOf(new ContextOverflowError({ promptTokens: 9000, reservedTokens: 512, numCtx: 4096, source: "estimate" }))).toBe(400);
    expect(httpStatusOf(new ToolRefusedError("read_file", "outside the allowed folders"))).toBe(403);
    expect(httpStatusOf(new ModelCallError("bad answer"))).toBe(502);
    expect(httpStatusOf(new SessionBusyError("s1"))).toBe(409);
  });

  it("maps only known codes; Fastify's statusCode and everything else fall through", () => {
    expect(isServerReachableCode("index_locked")).toBe(true);
    expect(isServerReachableCode("toString")).toBe(false);
    expect(httpStatusOf({ code: "toString" })).toBe(500);
    expect(httpStatusOf({ statusCode: 413 })).toBe(413);
    expect(Object.values(STATUS_BY_CODE).every((status) => status >= 400 && status < 600)).toBe(true);
  });
});

describe("toPublicError", () => {
  it("does not show the server's paths", () => {
    const error = toPublicError(new IndexModelMismatchError("/srv/corral/index", "nomic-embed-text", "all-minilm"));
    expect(error.status).toBe(409);
    expect(error.message).not.toContain("/srv/corral");
    expect(error.message).toContain("nomic-embed-text");
  });
});

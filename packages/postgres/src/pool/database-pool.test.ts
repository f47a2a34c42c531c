import { describe, expect, it } from "vitest";
import { describeDatabase, isConnectionError } from "./database-pool.js";

describe("describeDatabase", () => {
  it("names host, port and database, never the user or password", () => {
    expect(describeDatabase("postgresql://corral:s3cret@db.internal:6543/sessions?sslmode=require")).toBe("db.internal:6543/sessions");
    expect(describeDatabase("postgres://db.internal/corral")).toBe("db.internal:5432/corral");
  });

  it("says so when the URL does not parse, without echoing it", () => {
    expect(describeDatabase("not a url with s3cret")).toBe("the configured database (its URL does not parse)");
  });
});

describe("isConnectionError", () => {
  const withCode = (code: string, message = "failed") => Object.assign(new Error(message), { code });

  it("is true for network failures, PostgreSQL shutting down and connection classes", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "08006", "57P01", "57P03", "53300"]) {
      expect(isConnectionError(withCode(code)), code).toBe(true);
    }
    expect(isConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("is false for a wrong query, a constraint and non-errors", () => {
    for (const code of ["42601", "23505", "42P01"]) expect(isConnectionError(withCode(code)), code).toBe(false);
    expect(isConnectionError("ECONNREFUSED")).toBe(false);
  });
});

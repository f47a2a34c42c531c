import { callTool } from "@corral/core/testing";
import { describe, expect, it } from "vitest";
import { createTimeTools } from "./time-tools.js";

const fixedNow = new Date("2026-03-28T23:30:00Z");
const tools = Object.fromEntries(createTimeTools({ timeZone: "Europe/Berlin", now: () => fixedNow }).map((tool) => [tool.name, tool]));

describe("current_time", () => {
  it("gives now in the default zone and in a named zone", async () => {
    expect((await callTool(tools.current_time!, {})).content).toBe(
      "2026-03-29T00:30:00+01:00 (Sunday, March 29, 2026 at 00:30:00 GMT+1, Europe/Berlin)",
    );
    expect((await callTool(tools.current_time!, { timeZone: "America/New_York" })).content).toMatch(
      /^2026-03-28T19:30:00-04:00 \(Saturday, March 28, 2026/,
    );
    expect((await callTool(tools.current_time!, { timeZone: "UTC" })).content).toMatch(/^2026-03-28T23:30:00Z /);
    expect((await callTool(tools.current_time!, { timeZone: "Asia/Kolkata" })).content).toMatch(/^2026-03-29T05:00:00\+05:30/);
  });

  it("rejects an unknown zone with a hint", async () => {
    expect(await callTool(tools.current_time!, { timeZone: "Mars/Olympus" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/Unknown time zone "Mars\/Olympus"; use an IANA name/),
    });
    expect(() => createTimeTools({ timeZone: "Nowhere/Land" })).toThrow(/Unknown time zone/);
  });
});

describe("date_add", () => {
  it("adds calendar units on the wall clock, across a daylight-saving change", async () => {
    // Berlin moves from +01:00 to +02:00 at 02:00 on 2026-03-29: one calendar day later is still 12:00.
    expect((await callTool(tools.date_add!, { date: "2026-03-28T12:00", days: 1 })).content).toMatch(/^2026-03-29T12:00:00\+02:00/);
    // ...while 24 hours later is 13:00.
    expect((await callTool(tools.date_add!, { date: "2026-03-28T12:00", hours: 24 })).content).toMatch(/^2026-03-29T13:00:00\+02:00/);
    // A wall time inside the gap moves forward.
    expect((await callTool(tools.date_add!, { date: "2026-03-29T02:30" })).content).toMatch(/^2026-03-29T03:30:00\+02:00/);
  });

  it("clamps the day of month and handles negative amounts, weeks and years", async () => {
    expect((await callTool(tools.date_add!, { date: "2026-01-31", months: 1 })).content).toMatch(/^2026-02-28T00:00:00\+01:00/);
    expect((await callTool(tools.date_add!, { date: "2024-02-29", years: 1, timeZone: "UTC" })).content).toMatch(/^2025-02-28T00:00:00Z/);
    expect((await callTool(tools.date_add!, { date: "2026-03-01", months: -3, timeZone: "UTC" })).content).toMatch(/^2025-12-01T00:00:00Z/);
    expect((await callTool(tools.date_add!, { date: "2026-11-25", weeks: 2, days: -1, timeZone: "UTC" })).content).toMatch(
      /^2026-12-08T00:00:00Z \(Tuesday/,
    );
    expect((await callTool(tools.date_add!, { date: "2026-11-25T10:00:00Z", minutes: 90, timeZone: "UTC" })).content).toMatch(
      /^2026-11-25T11:30:00Z/,
    );
  });

  it("adds to now when no date is given", async () => {
    expect((await callTool(tools.date_add!, { days: 10, timeZone: "UTC" })).content).toMatch(/^2026-04-07T23:30:00Z/);
  });

  it("rejects bad dates and absurd amounts", async () => {
    expect(await callTool(tools.date_add!, { date: "next tuesday", days: 1 })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/not an ISO 8601 date; write it like 2026-03-29/),
    });
    expect(await callTool(tools.date_add!, { date: "2026-02-30" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/not a real date/),
    });
    expect(tools.date_add!.parse({ days: 1e9 }).success).toBe(false);
  });
});

describe("date_diff", () => {
  it("counts calendar days and a breakdown", async () => {
    const text = (await callTool(tools.date_diff!, { from: "2024-01-15", to: "2026-03-29", timeZone: "UTC" })).content;
    expect(text).toContain("804 calendar days");
    expect(text).toContain("2 years, 2 months, 14 days");
    expect(text).toContain("19296 hours");
  });

  it("handles reversed order and defaults to now", async () => {
    expect((await callTool(tools.date_diff!, { from: "2026-03-31", to: "2026-03-01", timeZone: "UTC" })).content).toContain(
      "-30 calendar days (the end is before the start)",
    );
    expect((await callTool(tools.date_diff!, { from: "2026-03-01", timeZone: "UTC" })).content).toContain("27 calendar days");
  });
});

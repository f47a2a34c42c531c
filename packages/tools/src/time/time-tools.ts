import { defineTool, type Tool } from "@corral/core";
import { z } from "zod";
import {
  calendarDaysBetween,
  checkTimeZone,
  daysInMonth,
  formatIso,
  formatReadable,
  fromWallTime,
  parseDate,
  toWallTime,
} from "./zoned-time.js";

/** Options of `createTimeTools`. */
export interface TimeToolsOptions {
  /** The zone used when the model names none. Default: the system's zone. */
  timeZone?: string;
  /** The clock; tests pass a fixed one. Default `() => new Date()`. */
  now?: () => Date;
}

const zoneField = z.string().optional().describe('IANA time zone such as "Europe/Berlin" or "UTC". Default: the local zone');
const MAX_AMOUNT = 100_000;
const amount = z.number().int().min(-MAX_AMOUNT).max(MAX_AMOUNT).optional();

/**
 * The time tools: `current_time` (now in a time zone), `date_add` (calendar arithmetic) and
 * `date_diff` (days and a years/months/days breakdown between two dates). Time zones come from
 * the runtime's Intl data; nothing is fetched.
 * @example
 * const tools = createTimeTools({ timeZone: "Europe/Berlin" });
 */
export function createTimeTools(options: TimeToolsOptions = {}): Tool[] {
  // A configured zone is checked now (a typo fails at start); the system's is looked up at the first
  // call, so a process that never tells the time does not pay for Intl's time-zone data at start.
  let defaultZone = options.timeZone === undefined ? undefined : checkTimeZone(options.timeZone);
  const now = options.now ?? (() => new Date());
  const zoneOf = (timeZone: string | undefined) => {
    if (timeZone) return checkTimeZone(timeZone);
    defaultZone ??= checkTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC");
    return defaultZone;
  };
  const describe = (instant: Date, timeZone: string) =>
    `${formatIso(instant, timeZone)} (${formatReadable(instant, timeZone)}, ${timeZone})`;

  const currentTime = defineTool({
    name: "current_time",
    description: "Get the current date, time and weekday, in a time zone.",
    input: z.object({ timeZone: zoneField }),
    timeoutMs: 5000,
    execute({ timeZone }) {
      const zone = zoneOf(timeZone);
      return describe(now(), zone);
    },
  });

  const dateAdd = defineTool({
    name: "date_add",
    description:
      "Add (or, with negative numbers, subtract) years, months, weeks, days, hours and minutes to a date. Months and years keep the day of month where it exists (Jan 31 + 1 month = Feb 28/29).",
    input: z.object({
      date: z.string().optional().describe("ISO 8601 date or date-time, e.g. 2026-03-29 or 2026-03-29T14:30. Default: now"),
      years: amount,
      months: amount,
      weeks: amount,
      days: amount,
      hours: amount,
      minutes: amount,
      timeZone: zoneField,
    }),
    timeoutMs: 5000,
    execute({ date, years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, timeZone }) {
      const zone = zoneOf(timeZone);
      const start = date ? parseDate(date, zone) : now();
      // Calendar units move the wall clock in the zone; hours and minutes are exact durations.
      const wall = toWallTime(start, zone);
      const monthIndex = wall.year * 12 + (wall.month - 1) + years * 12 + months;
      const year = Math.floor(monthIndex / 12);
      const month = (monthIndex % 12) + 1;
      const day = Math.min(wall.day, daysInMonth(year, month));
      const shifted = new Date(Date.UTC(year, month - 1, day + weeks * 7 + days));
      const moved = fromWallTime(
        { ...wall, year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() },
        zone,
      );
      const result = new Date(moved.getTime() + (hours * 60 + minutes) * 60_000);
      if (Number.isNaN(result.getTime()) || Math.abs(result.getUTCFullYear()) > 9999)
        throw new Error("The resulting date is out of range.");
      return describe(result, zone);
    },
  });

  const dateDiff = defineTool({
    name: "date_diff",
    description: "Count the time between two dates: calendar days, a years/months/days breakdown, and hours.",
    input: z.object({
      from: z.string().describe("ISO 8601 start date or date-time"),
      to: z.string().optional().describe("ISO 8601 end date or date-time. Default: now"),
      timeZone: zoneField,
    }),
    timeoutMs: 5000,
    execute({ from, to, timeZone }) {
      const zone = zoneOf(timeZone);
      const start = parseDate(from, zone);
      const end = to ? parseDate(to, zone) : now();
      const sign = end.getTime() < start.getTime() ? -1 : 1;
      const [early, late] = sign < 0 ? [end, start] : [start, end];
      const a = toWallTime(early, zone);
      const b = toWallTime(late, zone);
      let monthsTotal = (b.year - a.year) * 12 + (b.month - a.month);
      if (b.day < a.day) monthsTotal--;
      const anchorMonthIndex = a.year * 12 + (a.month - 1) + monthsTotal;
      const anchorYear = Math.floor(anchorMonthIndex / 12);
      const anchorMonth = (anchorMonthIndex % 12) + 1;
      const anchor = { ...a, year: anchorYear, month: anchorMonth, day: Math.min(a.day, daysInMonth(anchorYear, anchorMonth)) };
      const restDays = calendarDaysBetween(anchor, b);
      const days = calendarDaysBetween(a, b) * sign;
      const hours = Math.round(((late.getTime() - early.getTime()) / 3_600_000) * 100) / 100;
      const parts = [`${Math.trunc(monthsTotal / 12)} years`, `${monthsTotal % 12} months`, `${restDays} days`].join(", ");
      return [
        `From ${formatIso(start, zone)} to ${formatIso(end, zone)} (${zone}):`,
        `${days} calendar days${sign < 0 ? " (the end is before the start)" : ""}`,
        `${sign < 0 ? "minus " : ""}${parts}`,
        `${hours * sign} hours`,
      ].join("\n");
    },
  });

  return [currentTime, dateAdd, dateDiff];
}

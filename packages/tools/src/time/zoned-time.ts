/** A wall-clock date and time (no zone), month 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a clear error when `timeZone` is not an IANA zone Intl knows; returns its canonical name. */
export function checkTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`Unknown time zone "${timeZone}"; use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC".`);
  }
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, cached);
  }
  return cached;
}

/** The wall-clock time in `timeZone` at `instant`. */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: instant.getUTCMilliseconds(),
  };
}

function wallAsUtc(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

/** Minutes `timeZone` is ahead of UTC at `instant`. */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const wall = toWallTime(instant, timeZone);
  return Math.round((wallAsUtc({ ...wall, millisecond: instant.getUTCMilliseconds() }) - instant.getTime()) / 60_000);
}

/**
 * The instant a wall-clock time in `timeZone` denotes. In a daylight-saving gap the time is
 * moved forward by the gap; in an overlap the earlier instant is chosen.
 */
export function fromWallTime(wall: WallTime, timeZone: string): Date {
  const utc = wallAsUtc(wall);
  // The offsets a day before and after bracket any single transition near this time.
  const before = utc - offsetMinutes(new Date(utc - 86_400_000), timeZone) * 60_000;
  const after = utc - offsetMinutes(new Date(utc + 86_400_000), timeZone) * 60_000;
  const matching = [before, after].filter((candidate) => wallMatches(candidate, wall, timeZone)).sort((a, b) => a - b);
  return new Date(matching[0] ?? before);
}

function wallMatches(instant: number, wall: WallTime, timeZone: string): boolean {
  const back = toWallTime(new Date(instant), timeZone);
  return (
    back.year === wall.year && back.month === wall.month && back.day === wall.day && back.hour === wall.hour && back.minute === wall.minute
  );
}

/** ISO 8601 with the zone's offset, e.g. `2026-03-29T03:30:00+02:00`. */
export function formatIso(instant: Date, timeZone: string): string {
  const wall = toWallTime(instant, timeZone);
  const offset = offsetMinutes(instant, timeZone);
  const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, "0");
  const sign = offset < 0 ? "-" : "+";
  const zone = offset === 0 && timeZone === "UTC" ? "Z" : `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${zone}`;
}

/** A readable line, e.g. `Sunday, March 29, 2026 at 03:30:00 CEST`. */
export function formatReadable(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone, dateStyle: "full", timeStyle: "long", hourCycle: "h23" }).format(instant);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO 8601 date or date-time. Without an offset it is a wall-clock time in
 * `timeZone` (a bare date is midnight there); with `Z` or an offset it is that instant.
 */
export function parseDate(text: string, timeZone: string): Date {
  const match = ISO.exec(text.trim());
  if (!match)
    throw new Error(
      `"${text.slice(0, 100)}" is not an ISO 8601 date; write it like 2026-03-29 or 2026-03-29T14:30 or 2026-03-29T14:30:00Z.`,
    );
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "0", zone] = match;
  const wall: WallTime = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number(fraction.padEnd(3, "0")),
  };
  if (
    wall.month < 1 ||
    wall.month > 12 ||
    wall.day < 1 ||
    wall.day > daysInMonth(wall.year, wall.month) ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    wall.second > 59
  ) {
    throw new Error(`"${text}" is not a real date or time.`);
  }
  if (!zone) return fromWallTime(wall, timeZone);
  const offset =
    zone.toUpperCase() === "Z" ? 0 : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return new Date(wallAsUtc(wall) - offset * 60_000);
}

/** Days in a month (1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whole calendar days from one wall-clock date to another (time of day ignored). */
export function calendarDaysBetween(from: WallTime, to: WallTime): number {
  return Math.round((Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / 86_400_000);
}

/**
 * Bounds on loading one file. Every file is read and parsed in a separate loader process; a
 * file that goes over any bound is skipped, its reason is in the sync report, and the sync
 * goes on with the next file.
 */
export interface LoadLimits {
  /** Time to read and parse one file, in milliseconds. Default 60,000. */
  timeoutMs?: number;
  /**
   * Memory of the loader process in MB: its resident set, watched while a file loads (Linux),
   * and V8's heap limit (everywhere). Default 1024.
   */
  memoryMb?: number;
  /** Pages of one PDF. Default 2,000. */
  maxPages?: number;
  /** Characters of text extracted from one file. Default 20,000,000. */
  maxTextChars?: number;
}

/** The bounds a sync uses when its options name none. */
export const DEFAULT_LOAD_LIMITS: Readonly<Required<LoadLimits>> = Object.freeze({
  timeoutMs: 60_000,
  memoryMb: 1024,
  maxPages: 2000,
  maxTextChars: 20_000_000,
});

/** Limits with defaults filled in, the file size cap the loader checks again on the open file, and whether hard links are read. */
export type ResolvedLoadLimits = Required<LoadLimits> & { maxFileBytes: number; allowHardLinks?: boolean };

/** Fills in defaults; a missing, non-finite or non-positive value takes the default. */
export function resolveLoadLimits(limits: LoadLimits | undefined, maxFileBytes: number, allowHardLinks = false): ResolvedLoadLimits {
  const pick = (key: keyof LoadLimits): number => {
    const value = limits?.[key];
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : DEFAULT_LOAD_LIMITS[key];
  };
  return {
    timeoutMs: pick("timeoutMs"),
    memoryMb: pick("memoryMb"),
    maxPages: pick("maxPages"),
    maxTextChars: pick("maxTextChars"),
    maxFileBytes,
    allowHardLinks,
  };
}

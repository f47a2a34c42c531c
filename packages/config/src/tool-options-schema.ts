import { z } from "zod";

const positiveInt = z.number().int().min(1);
const pathAccess = {
  /** Let the file tools read dotfiles and dot-folders (`.env`, `.git`); default false. */
  allowHidden: z.boolean().optional(),
  /** Hidden or sensitive paths (relative to the root) the file tools may read anyway, e.g. [".github"]. */
  allowPaths: z.array(z.string().min(1)).optional(),
};

/** `toolOptions.files`: the options of @corral/tools' `createFileTools` a config file can set. */
export const fileToolOptionsSchema = z.strictObject({
  ...pathAccess,
  allowWrite: z.boolean().optional(),
  allowHardLinks: z.boolean().optional(),
  maxFileBytes: positiveInt.optional(),
  maxOutputChars: positiveInt.optional(),
  maxEntries: positiveInt.optional(),
  ignore: z.array(z.string()).optional(),
  search: z
    .strictObject({
      maxMatches: positiveInt.optional(),
      maxFileBytes: positiveInt.optional(),
      maxFiles: positiveInt.optional(),
      perFileTimeoutMs: positiveInt.optional(),
      timeoutMs: positiveInt.optional(),
    })
    .optional(),
  timeoutMs: positiveInt.optional(),
});

/** `toolOptions.web`: the options of `createFetchTool` a config file can set. */
export const webToolOptionsSchema = z.strictObject({
  allowedHosts: z.array(z.string().min(1)).optional(),
  allowAddresses: z.array(z.string().min(1)).optional(),
  maxBytes: positiveInt.optional(),
  maxOutputChars: positiveInt.optional(),
  timeoutMs: positiveInt.optional(),
  maxRedirects: z.number().int().min(0).optional(),
  userAgent: z.string().min(1).optional(),
  /** Extra trusted certificate authorities, PEM text. */
  ca: z.union([z.string(), z.array(z.string())]).optional(),
});

/** `toolOptions.math`: the options of `createCalculatorTool`. */
export const mathToolOptionsSchema = z.strictObject({
  timeoutMs: positiveInt.optional(),
  maxExpressionChars: positiveInt.optional(),
  maxMemoryMb: positiveInt.optional(),
  maxMatrixElements: positiveInt.optional(),
  maxOutputChars: positiveInt.optional(),
});

/** `toolOptions.time`: the options of `createTimeTools` a config file can set. */
export const timeToolOptionsSchema = z.strictObject({
  /** IANA zone such as "Europe/Berlin"; default the machine's. */
  timeZone: z.string().min(1).optional(),
});

/** `toolOptions.shell`: the options of `createShellTool` a config file can set; `allowedCommands` enables it. */
export const shellToolOptionsSchema = z.strictObject({
  allowedCommands: z.array(z.string().min(1)),
  timeoutMs: positiveInt.optional(),
  maxBufferBytes: positiveInt.optional(),
  maxOutputChars: positiveInt.optional(),
  env: z.record(z.string(), z.string()).optional(),
});

/**
 * `toolOptions`: per preset, the options createToolPreset passes on. Strict at every level, so a
 * typo (`allowWrites`) is an error that names the key instead of an option silently ignored.
 */
export const toolOptionsSchema = z.strictObject({
  $comment: z.string().optional(),
  files: fileToolOptionsSchema.optional(),
  web: webToolOptionsSchema.optional(),
  math: mathToolOptionsSchema.optional(),
  time: timeToolOptionsSchema.optional(),
  shell: shellToolOptionsSchema.optional(),
});

/** What `toolOptions` parses to: createToolPreset's options without `root` (and without casts). */
export type ToolOptions = z.output<typeof toolOptionsSchema>;

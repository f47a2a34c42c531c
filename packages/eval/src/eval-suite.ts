import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { EvalSuiteError } from "./eval-suite-error.js";

const text = z.string().min(1);

/** What a task's answer and calls must show. Every key given must hold. */
export const evalExpectSchema = z
  .strictObject({
    /** A tool (or tools) the model must call; `false`: the model must call no tool. */
    tool: z.union([text, z.array(text).min(1), z.literal(false)]).optional(),
    /** A subset of the arguments one call of `tool` (the first tool, when a list) must have. */
    args: z.record(z.string(), z.unknown()).optional(),
    /** The least number of tool calls of the whole run (e.g. 2 for two parallel calls). */
    calls: z.number().int().min(1).optional(),
    /** Text the answer must contain (case-insensitive). */
    contains: z.union([text, z.array(text).min(1)]).optional(),
    /** A regular expression the answer must match (JavaScript syntax, case-insensitive). */
    matches: text.optional(),
    /** A JSON Schema the answer, parsed as JSON, must satisfy; the answer is requested in that format. */
    json: z.record(z.string(), z.unknown()).optional(),
    /** A path (or the end of one) that must be among the cited sources of search_docs. */
    cites: text.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, {
    message: "expect is empty: give at least one of tool, contains, matches, json, cites",
  })
  .refine((value) => value.args === undefined || typeof value.tool === "string" || Array.isArray(value.tool), {
    message: "expect.args needs expect.tool (the tool whose arguments they are)",
  });

/** One task of a suite. */
export const evalTaskSchema = z.strictObject({
  /** A unique name, shown in the scorecard. */
  name: text.regex(/^[\w.:-]+$/, "use letters, digits, '-', '_', '.' or ':'"),
  /** What the task probes (documentation; shown with --md). */
  probes: z.string().optional(),
  /** The user's message. */
  prompt: text,
  /** A system prompt for this task, added to the agent's. */
  instructions: z.string().optional(),
  /** Tool presets for this task (files, web, math, time, shell); default: the agent's. `[]`: no tools. */
  tools: z.array(text).optional(),
  /** A folder indexed for this task into a temporary index; the agent gets search_docs. Relative to the suite file. */
  docs: text.optional(),
  /** Ollama `think` for this task. */
  think: z.union([z.boolean(), z.enum(["low", "medium", "high"])]).optional(),
  /** Model calls with tools before a final answer is forced. */
  maxSteps: z.number().int().min(1).max(100).optional(),
  expect: evalExpectSchema,
});

/** A suite: tasks run on every model. */
export const evalSuiteSchema = z.strictObject({
  /** A name for the scorecard. */
  name: z.string().optional(),
  tasks: z.array(evalTaskSchema).min(1),
});

/** What a task's answer and calls must show. */
export type EvalExpect = z.infer<typeof evalExpectSchema>;
/** One task of a suite. */
export type EvalTask = z.infer<typeof evalTaskSchema>;
/** A suite, validated; `docs` paths are absolute once loaded from a file. */
export type EvalSuite = z.infer<typeof evalSuiteSchema>;

function describeIssues(error: z.ZodError, raw: unknown): string {
  const tasks = (raw as { tasks?: unknown[] } | undefined)?.tasks;
  return error.issues
    .map((issue) => {
      const [first, index, ...rest] = issue.path;
      let where = issue.path.join(".") || "the suite";
      if (first === "tasks" && typeof index === "number") {
        const name = (tasks?.[index] as { name?: unknown } | undefined)?.name;
        where = `task ${typeof name === "string" ? `"${name}"` : `#${index + 1}`}${rest.length ? `: ${rest.join(".")}` : ""}`;
      }
      const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.map((key) => `"${key}"`).join(", ")})` : "";
      return `${where}: ${issue.message}${keys}`;
    })
    .join("; ");
}

/**
 * Validates a suite (an object from YAML or JSON). Unknown keys (typos) are rejected; the error
 * names the task. Regular expressions in `matches` are compiled here, so a bad one fails early.
 * @example
 * const suite = parseSuite({ tasks: [{ name: "adds", prompt: "2+3?", expect: { contains: "5" } }] });
 */
export function parseSuite(raw: unknown, options: { file?: string } = {}): EvalSuite {
  const from = options.file ? ` in ${options.file}` : "";
  const parsed = evalSuiteSchema.safeParse(raw);
  if (!parsed.success)
    throw new EvalSuiteError(`The suite${from} is not valid: ${describeIssues(parsed.error, raw)}`, { file: options.file });
  const seen = new Set<string>();
  for (const task of parsed.data.tasks) {
    if (seen.has(task.name))
      throw new EvalSuiteError(`The suite${from} has two tasks named "${task.name}"; names must be unique.`, { file: options.file });
    seen.add(task.name);
    if (task.expect.matches !== undefined) {
      try {
        new RegExp(task.expect.matches, "i");
      } catch (error) {
        throw new EvalSuiteError(
          `Task "${task.name}"${from}: expect.matches is not a valid regular expression: ${(error as Error).message}`,
          {
            file: options.file,
          },
        );
      }
    }
  }
  return parsed.data;
}

/**
 * Reads a suite file (`.yaml`, `.yml` or `.json`) and validates it. `docs` folders are resolved
 * against the file's folder.
 * @example
 * const suite = await loadSuite("./eval/suite.yaml");
 */
export async function loadSuite(file: string): Promise<EvalSuite> {
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "it does not exist" : code === "EISDIR" ? "it is a folder" : (error as Error).message;
    throw new EvalSuiteError(`Cannot read the suite ${file}: ${why}.`, { file, cause: error });
  }
  let raw: unknown;
  try {
    raw = file.endsWith(".json") ? JSON.parse(source) : parseYaml(source);
  } catch (error) {
    throw new EvalSuiteError(`The suite ${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
  const suite = parseSuite(raw, { file });
  const base = path.dirname(path.resolve(file));
  const tasks = suite.tasks.map((task) => (task.docs ? { ...task, docs: path.resolve(base, task.docs) } : task));
  for (const task of tasks) {
    if (!task.docs) continue;
    const isFolder = await stat(task.docs).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (!isFolder)
      throw new EvalSuiteError(
        `Task "${task.name}" in ${file}: docs ${task.docs} is not a folder (paths are relative to the suite file).`,
        { file },
      );
  }
  return { ...suite, tasks };
}

import { ConfigError, type Tool } from "@corral/core";
import { createFileTools } from "../files/create-file-tools.js";
import type { FileToolsOptions } from "../files/file-tools-options.js";
import { type CalculatorToolOptions, createCalculatorTool } from "../math/calculator-tool.js";
import { createShellTool, type ShellToolOptions } from "../shell/shell-tool.js";
import { createTimeTools, type TimeToolsOptions } from "../time/time-tools.js";
import { createFetchTool, type FetchToolOptions } from "../web/fetch-url-tool.js";

/** The names `createToolPreset` understands, as configuration files list them. */
export const toolPresetNames = ["files", "web", "math", "time", "shell"] as const;

/** One preset name. */
export type ToolPresetName = (typeof toolPresetNames)[number];

/** Options of `createToolPreset`, one section per preset. */
export interface ToolPresetOptions {
  /** The folder `files` and `shell` are confined to. Default `process.cwd()`. */
  root?: string;
  /** `files`: limits, and `allowWrite` for write_file/edit_file (default read-only). */
  files?: Omit<FileToolsOptions, "root">;
  /** `web`: allowlist, address allowances and limits of fetch_url. */
  web?: FetchToolOptions;
  /** `math`: limits of the calculator. */
  math?: CalculatorToolOptions;
  /** `time`: the default time zone. */
  time?: TimeToolsOptions;
  /** `shell`: required when "shell" is named; `allowedCommands` lists the programs. */
  shell?: Omit<ShellToolOptions, "root">;
}

const presetTools: Record<ToolPresetName, (options: ToolPresetOptions, root: string) => Tool[]> = {
  files: (options, root) => createFileTools({ ...options.files, root }),
  web: (options) => [createFetchTool(options.web)],
  math: (options) => [createCalculatorTool(options.math)],
  time: (options) => createTimeTools(options.time),
  shell: (options, root) => {
    if (!options.shell?.allowedCommands?.length) {
      throw new ConfigError('The "shell" tools need shell.allowedCommands: list the programs the model may run, e.g. ["git", "ls"].');
    }
    return [createShellTool({ ...options.shell, root })];
  },
};

/**
 * Builds the tools for a list of preset names, as the CLI and server enable them from
 * configuration: `files` (read_file, list_dir, find_files, search_text; write_file and
 * edit_file with `files.allowWrite`), `web` (fetch_url), `math` (calculator), `time`
 * (current_time, date_add, date_diff), `shell` (run_command; needs `shell.allowedCommands`).
 * An unknown name throws a ConfigError that lists the known ones.
 * @example
 * const tools = createToolPreset(["files", "web", "math", "time"], { root: process.cwd() });
 */
export function createToolPreset(names: readonly string[], options: ToolPresetOptions = {}): Tool[] {
  const unknown = names.filter((name) => !(toolPresetNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `Unknown tool preset${unknown.length > 1 ? "s" : ""} ${unknown.map((name) => `"${name}"`).join(", ")}; choose from ${toolPresetNames.join(", ")}.`,
    );
  }
  const root = options.root ?? process.cwd();
  const tools: Tool[] = [];
  for (const name of new Set(names) as Set<ToolPresetName>) {
    try {
      tools.push(...presetTools[name](options, root));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`The "${name}" tools could not be created: ${(error as Error).message}`, { cause: error });
    }
  }
  return tools;
}

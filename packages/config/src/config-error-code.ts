import type { CoreErrorCode } from "@corral/core";

/** The stable codes of the errors the config package throws: it reports every problem as core's `ConfigError`. */
export type ConfigErrorCode = Extract<CoreErrorCode, "config_invalid">;

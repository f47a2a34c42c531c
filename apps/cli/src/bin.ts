import { processIo } from "./cli-io.js";
import { main } from "./main.js";

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
// Open handles (a keep-alive socket, a stray timer) must not keep a finished command alive;
// `serve` and `chat` only resolve when they are done.
setImmediate(() => process.exit(code)).unref();

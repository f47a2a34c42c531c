import { processIo } from "./cli-io.js";
import { main } from "./main.js";

// `corral search ... | head -1`: a closed pipe is the reader saying it has enough, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
// Open handles (a keep-alive socket, a stray timer) must not keep a finished command alive;
// `serve` and `chat` only resolve when they are done.
setImmediate(() => process.exit(code)).unref();

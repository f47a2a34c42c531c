import { runCli } from "./cli/run-cli.js";

// The `corral-fake-ollama` executable: prints the URL once listening, closes cleanly on SIGINT/SIGTERM.
const result = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
if (typeof result === "number") {
  process.exitCode = result;
} else {
  const fake = result;
  process.stdout.write(`${fake.url}\n`);
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

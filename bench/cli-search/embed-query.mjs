// The baseline of the cli-search benchmark: a process that only embeds the query (Node start-up,
// the ollama client, one /api/embed call) and prints the vector's length.
import { Ollama } from "ollama";

const [host, model, query] = process.argv.slice(2);
const response = await new Ollama({ host }).embed({ model, input: query });
process.stdout.write(`${response.embeddings[0].length}\n`);

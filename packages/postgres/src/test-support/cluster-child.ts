// Starts a cluster, prints its URL and data folder, and waits to be killed (for the watchdog test).
import pg from "pg";
import { startPostgresCluster } from "./postgres-cluster.js";

const cluster = await startPostgresCluster();
const client = new pg.Client({ connectionString: cluster.url });
await client.connect();
const { rows } = await client.query<{ data: string }>("SELECT current_setting('data_directory') AS data");
await client.end();
process.stdout.write(`${JSON.stringify({ url: cluster.url, data: rows[0]!.data })}\n`);
setInterval(() => {}, 60_000);

// A replica that takes a lease on a session and then hangs until it is killed (for the lease-expiry test).
import { PostgresSessionStore } from "../sessions/postgres-session-store.js";

const [url, sessionId, ttlMs] = process.argv.slice(2) as [string, string, string];
const store = await PostgresSessionStore.open(url, { replica: "doomed-replica" });
const lease = await store.acquire(sessionId, { ttlMs: Number(ttlMs) });
process.stdout.write(`${JSON.stringify({ holder: lease?.holder ?? null })}\n`);
setInterval(() => {}, 60_000);

import pg from "pg";
// The contract every IndexStore passes, from rag's test support (rag exports no testing subpath yet).
import { describeIndexStoreContract } from "../../../rag/src/test-support/index-store-contract.js";
import { describeWithServer } from "../test-support/describe-with-server.js";
import { openPostgresIndexStore } from "./postgres-index-store.js";

let schemas = 0;

describeWithServer("pglite", "the PostgreSQL + pgvector store on PGlite", (server) => {
  describeIndexStoreContract("the PostgreSQL + pgvector store", {
    newLocation: async () => {
      const schema = `contract_${++schemas}_${process.pid}`;
      return {
        location: schema,
        remove: async () => {
          const client = new pg.Client({ connectionString: server().url });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
            await client.query("DELETE FROM corral_schema_migrations WHERE component = $1", [`index:${schema}`]);
          } finally {
            await client.end();
          }
        },
      };
    },
    open: (schema, model) => openPostgresIndexStore({ database: server().url, schema, embedder: { model }, maxConnections: 4 }),
  });
});

export {
  decideServer,
  describeWithServer,
  isCi,
  type ServerDecision,
  serverAvailability,
  startTestServer,
  type TestServerKind,
} from "./describe-with-server.js";
export { EXISTING_SERVER_VARIABLES, useExistingServer } from "./existing-server.js";
export { freePort } from "./free-port.js";
export { type PgliteAvailability, pgliteAvailability, startPgliteServer } from "./pglite-server.js";
export {
  type ClusterAvailability,
  DEFAULT_POSTGRES_BIN_DIR,
  postgresClusterAvailability,
  startPostgresCluster,
  type TestPostgresServer,
} from "./postgres-cluster.js";

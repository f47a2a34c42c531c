import { makeTempDir } from "../test-support/temp-dir.js";
import { describeIndexStoreContract } from "../testing/index-store-contract.js";
import { openSqliteIndexStore } from "./sqlite-index-store.js";

describeIndexStoreContract("the SQLite + hnswlib store", {
  newLocation: async () => {
    const temp = makeTempDir();
    return { location: temp.dir, remove: temp.remove };
  },
  open: (location, model) =>
    openSqliteIndexStore({
      dir: location,
      embedder: { model },
      settings: {
        readOnly: false,
        chunkSize: 1000,
        chunkOverlap: 150,
        exactFilterLimit: 2000,
        compactRatio: 0.25,
        compactMin: 1000,
        m: 16,
        efConstruction: 200,
        efSearch: 128,
        exactThreshold: 1000,
      },
    }),
});

import { storeSettings } from "../test-support/store-settings.js";
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
      settings: storeSettings(),
    }),
});

// @corral/rag/testing: what a second IndexStore implementation needs to prove itself.
export { describeIndexStoreContract } from "./index-store-contract.js";

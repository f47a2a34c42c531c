import { corralVitestConfig } from "../../vitest.shared.ts";

export default corralVitestConfig();

import type { B } from "./b.js";

export interface A {
  b?: B;
}

import { createHash, timingSafeEqual } from "node:crypto";

/** Checks bearer keys in constant time. With no keys configured every request passes. */
export class ApiKeys {
  readonly #digests: Buffer[];

  constructor(keys: readonly string[] = []) {
    this.#digests = keys.map((key) => createHash("sha256").update(key).digest());
  }

  /** Whether keys are required. */
  get enabled(): boolean {
    return this.#digests.length > 0;
  }

  /** The key in an `Authorization: Bearer <key>` header (or undefined). */
  static fromHeader(header: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    return match?.[1];
  }

  /** An opaque id of a valid key (for rate limiting), or undefined when the key is wrong. */
  check(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    const digest = createHash("sha256").update(key).digest();
    let found: string | undefined;
    for (const candidate of this.#digests) {
      if (timingSafeEqual(candidate, digest)) found = digest.toString("hex").slice(0, 16);
    }
    return found;
  }
}

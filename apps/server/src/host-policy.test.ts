import { describe, expect, it } from "vitest";
import { HostPolicy } from "./host-policy.js";

describe("HostPolicy", () => {
  it("answers each Host and local address on its own, whatever was asked just before", () => {
    const policy = new HostPolicy(["corral.internal"]);
    const asked: Array<[string, string | undefined, boolean]> = [
      ["localhost:8080", "127.0.0.1", true],
      ["evil.example", "127.0.0.1", false],
      ["evil.example", "127.0.0.1", false],
      ["127.0.0.1:8080", "127.0.0.1", true],
      ["10.0.0.5:8080", "10.0.0.5", true],
      // The same Host on a connection to another address: not its own address, so refused.
      ["10.0.0.5:8080", "10.0.0.6", false],
      ["corral.internal", "10.0.0.6", true],
      ["localhost:8080", "127.0.0.1", true],
    ];
    for (const [host, local, allowed] of asked) expect([host, local, policy.allows(host, local)]).toEqual([host, local, allowed]);
  });

  it("answers a name it refused once it is bound to it", () => {
    const policy = new HostPolicy();
    expect(policy.allows("192.168.1.9:8080", "127.0.0.1")).toBe(false);
    policy.bind("192.168.1.9");
    expect(policy.allows("192.168.1.9:8080", "127.0.0.1")).toBe(true);
  });
});

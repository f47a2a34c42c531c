import ipaddr from "ipaddr.js";

/**
 * Public addresses that still lead to a cloud provider's instance services (Azure's wire
 * server and DNS). Metadata endpoints in private ranges (169.254.169.254, fd00:ec2::254,
 * 100.100.100.200) are already refused by range.
 */
const METADATA_ADDRESSES = new Set(["168.63.129.16"]);

/** Decides which IP addresses the web tool may connect to. */
export interface AddressPolicy {
  /** Why `address` is refused, or undefined when it may be reached. */
  check(address: string): string | undefined;
}

/**
 * Only global unicast addresses are allowed, except those in `allow` (IPs or CIDR ranges,
 * e.g. `"127.0.0.1"` for a local test server or `"10.0.0.0/8"` for an intranet).
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function createAddressPolicy(allow: readonly string[] = []): AddressPolicy {
  const allowed = allow.map((entry) => {
    try {
      return entry.includes("/")
        ? ipaddr.parseCIDR(entry)
        : ([ipaddr.parse(entry), ipaddr.parse(entry).kind() === "ipv4" ? 32 : 128] as const);
    } catch {
      throw new TypeError(`allowAddresses entry "${entry}" is not an IP address or CIDR range (e.g. "127.0.0.1" or "10.0.0.0/8").`);
    }
  });
  return {
    check(address) {
      let parsed: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        parsed = ipaddr.process(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
      } catch {
        return `"${address}" is not a valid IP address`;
      }
      for (const [range, bits] of allowed) {
        if (range.kind() === parsed.kind() && parsed.match(range as never, bits)) return undefined;
      }
      const kind = parsed.range();
      if (parsed.kind() === "ipv6" && kind === "unicast" && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) {
        // ::a.b.c.d (deprecated IPv4-compatible form), which ipaddr.js counts as unicast.
        return `${parsed.toString()} is an IPv4-compatible IPv6 address`;
      }
      if (kind !== "unicast") return `${parsed.toString()} is a ${describeRange(kind)} address`;
      if (METADATA_ADDRESSES.has(parsed.toString())) return `${parsed.toString()} is a cloud metadata address`;
      return undefined;
    },
  };
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    loopback: "loopback",
    private: "private",
    linkLocal: "link-local (and cloud metadata)",
    uniqueLocal: "unique-local",
    carrierGradeNat: "carrier-grade NAT",
    multicast: "multicast",
    unspecified: "unspecified",
    broadcast: "broadcast",
    ipv4Mapped: "IPv4-mapped",
    rfc6052: "NAT64",
    rfc6145: "IPv4-translated",
    "6to4": "6to4",
    teredo: "Teredo",
  };
  return names[range] ?? `reserved (${range})`;
}

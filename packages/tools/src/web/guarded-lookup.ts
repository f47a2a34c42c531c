import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import type { AddressPolicy } from "./address-policy.js";

/** Resolves a host name to addresses; the default is the system resolver (`dns.lookup`). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** The system resolver, all addresses. */
export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/**
 * A `lookup` for `http.request` that resolves the name itself and refuses it when ANY of its
 * addresses is refused by the policy. The socket then connects to the very addresses that
 * were checked, so a DNS answer that changes between check and connect cannot slip through.
 */
export function createGuardedLookup(policy: AddressPolicy, resolver: Resolver, toolName: string): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (found) => {
        const family = typeof options === "object" && options ? options.family : undefined;
        const addresses = found.filter((entry) => !family || family === entry.family || family === `IPv${entry.family}`);
        if (addresses.length === 0) {
          const error = Object.assign(new Error(`No address found for "${hostname}".`), { code: "ENOTFOUND" });
          callback(error, "", 4);
          return;
        }
        for (const entry of addresses) {
          const why = policy.check(entry.address);
          if (why) {
            callback(
              new ToolRefusedError(toolName, `Refused "${hostname}": it resolves to ${why}. Only public addresses may be fetched.`),
              "",
              4,
            );
            return;
          }
        }
        if (typeof options === "object" && options?.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, "", 4),
    );
  };
}

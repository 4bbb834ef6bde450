/**
 * The router addresses the collector accepts sessions from (`serve --allow`): CIDR prefixes
 * that a connection's source address must fall in, checked before any byte is read.
 */
import { RibstoreError } from '../errors.js';
import { parseAddress } from '../ip/address.js';
import { type Prefix, parsePrefix } from '../ip/prefix.js';
import { unmappedAddress } from './router-identity.js';

/**
 * A list of CIDR prefixes that router addresses must fall in. An empty list allows everyone.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers)
 * are matched as the IPv4 address they carry.
 */
export class AllowList {
  /** The prefixes, as parsed. */
  readonly prefixes: readonly Prefix[];

  /**
   * @param cidrs prefix texts; a bare address means that one host.
   * @throws RibstoreError `INVALID_ARGUMENT` naming the bad entry.
   */
  constructor(cidrs: readonly string[]) {
    this.prefixes = cidrs.map((cidr) => {
      try {
        return parsePrefix(cidr.trim());
      } catch (error) {
        throw new RibstoreError('INVALID_ARGUMENT', `invalid --allow entry ${JSON.stringify(cidr)}: expected a CIDR like 192.0.2.0/24 or 2001:db8::/32`, { cause: error });
      }
    });
  }

  /** Whether the address text (as `socket.remoteAddress` gives it) is allowed. */
  allows(addressText: string): boolean {
    if (this.prefixes.length === 0) return true;
    let address;
    try {
      address = parseAddress(unmappedAddress(addressText));
    } catch {
      return false;
    }
    return this.prefixes.some((prefix) => prefix.contains(address));
  }
}

/**
 * Subject names on the bus. A router's messages go to `PREFIX.COLLECTOR.ROUTER`, so a consumer
 * picks one router, one collector (`PREFIX.COLLECTOR.>`) or all (`PREFIX.>`).
 */
import type { Address } from '../ip/address.js';

/**
 * A router address as one subject token: NATS tokens cannot hold '.', so IPv4 dots and IPv6
 * colons become '_' (`192_0_2_1`, `2001_db8__1`).
 */
export function routerSubjectToken(address: Address): string {
  return address.toString().replace(/[.:]/g, '_');
}

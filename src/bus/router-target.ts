/**
 * Where a router's messages go on the bus: its subject, its OpenBMP header (stamped per message
 * with length and time) and the prefix of its message ids. Worked out once per router, by the
 * collector's thread (to bound the queue by record size) and by the publish worker (to send).
 */
import { type Address, parseAddress } from '../ip/address.js';
import { openBmpHeaderTemplate, openBmpRouterHash } from './openbmp.js';
import { routerSubjectToken } from './subjects.js';

/** One router's publishing target. */
export interface RouterTarget {
  readonly address: Address;
  /** This router's OpenBMP header, stamped with time and length per message. */
  readonly header: Uint8Array;
  readonly subject: string;
  /** `Nats-Msg-Id` = `idPrefix` + the router's message number in this publisher. */
  readonly idPrefix: string;
}

/** The collector-wide part of every target. */
export interface TargetScope {
  readonly collectorName: string;
  readonly collectorHash: Uint8Array;
  readonly subjectPrefix: string;
  /** The publisher's start (ms), in every message id so that a restart never reuses one. */
  readonly startMs: number;
}

/**
 * The target of `router` (a session's remote address, IPv4-mapped IPv6 accepted), or `null` when
 * it is not an IP address (its messages cannot be published).
 */
export function routerTarget(scope: TargetScope, router: string): RouterTarget | null {
  let address: Address;
  try {
    address = parseAddress(router.startsWith('::ffff:') && router.includes('.') ? router.slice(7) : router);
  } catch {
    return null;
  }
  const header = openBmpHeaderTemplate({ collectorAdminId: scope.collectorName, collectorHash: scope.collectorHash, routerAddress: address, routerHash: openBmpRouterHash(address) });
  return {
    address,
    header,
    subject: `${scope.subjectPrefix}.${scope.collectorName}.${routerSubjectToken(address)}`,
    idPrefix: `${scope.collectorName}/${router}/${scope.startMs}/`,
  };
}

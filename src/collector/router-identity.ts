/**
 * Which router a BMP session belongs to, and so the router's name in the RIB and the API.
 *
 * A session's identity is its source address together with the sysName of its Initiation
 * (RFC 7854 4.3). How the name is formed is configurable (`serve --router-id-from`):
 * - `address`: the source address alone (one router per address, as before);
 * - `sysname`: the sysName alone (the source address when the Initiation has none), for
 *   routers that reach the collector through changing addresses;
 * - `auto` (default): the source address for the first router seen at that address, and
 *   `SYSNAME@ADDRESS` for every other sysName at the same address (two daemons on one host, a
 *   NAT, a BMP proxy), so single routers keep their address as their name and routers behind
 *   one address stay apart. Which sysName owns the bare address is remembered for the
 *   process's life (after a restart, the first to reconnect owns it).
 */
import { RibstoreError } from '../errors.js';

/** How routers are named; see the module doc. */
export type RouterIdMode = 'address' | 'sysname' | 'auto';

/** Every {@link RouterIdMode}, for flag parsing and help. */
export const ROUTER_ID_MODES: readonly RouterIdMode[] = ['address', 'sysname', 'auto'];

/** Parse a `--router-id-from` value. */
export function parseRouterIdMode(text: string): RouterIdMode {
  if ((ROUTER_ID_MODES as readonly string[]).includes(text)) return text as RouterIdMode;
  throw new RibstoreError('INVALID_ARGUMENT', `invalid --router-id-from ${JSON.stringify(text)}: expected one of ${ROUTER_ID_MODES.join(', ')}`);
}

/** Names routers by the identity of their sessions; see the module doc. */
export class RouterNames {
  readonly mode: RouterIdMode;
  /** In `auto` mode: the sysName (or null) that owns each bare address name. */
  private readonly addressOwner = new Map<string, string | null>();

  constructor(mode: RouterIdMode = 'auto') {
    this.mode = mode;
  }

  /** The router name of a session from `address` whose Initiation carried `sysName` (null: none). */
  nameOf(address: string, sysName: string | null): string {
    switch (this.mode) {
      case 'address':
        return address;
      case 'sysname':
        return sysName ?? address;
      case 'auto': {
        if (!this.addressOwner.has(address)) this.addressOwner.set(address, sysName);
        const owner = this.addressOwner.get(address);
        return owner === sysName ? address : `${sysName ?? 'unnamed'}@${address}`;
      }
    }
  }
}

/**
 * A socket's remote address as routers are named: an IPv4 peer of a dual-stack (`[::]`)
 * listener arrives as `::ffff:192.0.2.1` and is named `192.0.2.1`, as on an IPv4 listener.
 */
export function unmappedAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * Per-peer state of one BMP session: the decode context of each monitored peer, learned from
 * its Peer Up, so that the BGP UPDATEs inside Route Monitoring messages decode right.
 *
 * The rules (RFC 7854 4.2 and 4.10, RFC 7911, RFC 8671, RFC 9069):
 *
 * | message view                        | UPDATE written by  | ADD-PATH for an AFI/SAFI when           |
 * |-------------------------------------|--------------------|-----------------------------------------|
 * | Adj-RIB-In (O flag clear), pre/post | the peer           | peer's OPEN (received) says send (2, 3) |
 * |                                     |                    | and router's OPEN (sent) says receive (1, 3) |
 * | Adj-RIB-Out (O flag, RFC 8671)      | the router         | sent OPEN says send and received OPEN says receive |
 * | Loc-RIB (peer type 3, RFC 9069)     | the router         | either (fabricated) OPEN lists ADD-PATH for it |
 *
 * 4-octet AS: a pre-policy Adj-RIB-In UPDATE is the one the peer sent, so it uses 4-byte AS
 * numbers when both OPENs carried the 4-octet AS capability (RFC 6793). Every other view is
 * produced by the router, which RFC 7854 makes use 4-byte AS numbers. Either way the A flag
 * (legacy 2-byte AS_PATH) of the per-peer header has the last word: when set, the UPDATE
 * uses 2-byte AS numbers. A peer seen without a Peer Up (a collector that joined late, or
 * GoBGP's Loc-RIB peer, which never sends one) gets 4-byte AS unless A is set, and no ADD-PATH.
 *
 * Messages carried over BMP are bounded by the BMP message length, so the extended-message
 * size limit is not applied, and mandatory-attribute checks are off: a monitoring feed records
 * what the router holds (FRR's Loc-RIB sends IPv4 routes without NEXT_HOP).
 *
 * Invariant: the state for a peer lives from its Peer Up to its Peer Down (or a new Peer Up);
 * lookups cache the last peer, since consecutive Route Monitoring messages usually share one.
 */
import { DecodeError } from '../../errors.js';
import { familyKey } from '../bgp/constants.js';
import { createDecodeContext, negotiateDecodeContext, type BgpDecodeContext } from '../bgp/context.js';
import { decodeOpen } from '../bgp/open.js';
import { decodeUpdate, walkUpdate, type UpdateVisitor, type WalkResult } from '../bgp/update.js';
import { NlriCursor } from '../bgp/nlri.js';
import type { BgpOpen, BgpUpdate } from '../bgp/types.js';
import type { BmpPeerHeader } from './peer-header.js';
import type { BmpMessage, BmpPeerUp, BmpRouteMonitoring } from './types.js';

/** What the session knows about one monitored peer (from its Peer Up). */
export interface BmpPeerState {
  /** The Peer Up message that created this state. */
  readonly peerUp: BmpPeerUp;
  /** The router's OPEN to the peer, decoded. */
  readonly sentOpen: BgpOpen;
  /** The peer's OPEN to the router, decoded. */
  readonly receivedOpen: BgpOpen;
  /** Whether both OPENs carried the 4-octet AS capability. */
  readonly fourOctetAsNegotiated: boolean;
  /** Context for Adj-RIB-In views as sent by the peer (pre-policy). */
  readonly adjRibInContext: BgpDecodeContext;
  /** Context for views the router produced from Adj-RIB-In (post-policy): 4-byte AS. */
  readonly adjRibInPostContext: BgpDecodeContext;
  /** Context for Adj-RIB-Out views (O flag), and Loc-RIB views for a Loc-RIB peer. */
  readonly routerContext: BgpDecodeContext;
  /** The same contexts with 2-byte AS, for messages with the A flag. */
  readonly legacyAdjRibInContext: BgpDecodeContext;
  readonly legacyRouterContext: BgpDecodeContext;
}

/** A stable key naming a monitored peer: peer type, distinguisher and address. */
export function bmpPeerKey(peer: BmpPeerHeader): string {
  const a = peer.address;
  return `${peer.peerType}|${peer.distinguisherHigh}:${peer.distinguisherLow}|${a.family}:${a.w0}:${a.w1}:${a.w2}:${a.w3}`;
}

function bmpContext(fourOctetAs: boolean, addPath: ReadonlySet<number>): BgpDecodeContext {
  return { ...createDecodeContext({ fourOctetAs, extendedMessage: true, requireMandatoryAttributes: false }), addPath };
}

/** Families listed in an ADD-PATH capability of either OPEN, in any direction. */
function anyAddPath(a: BgpOpen, b: BgpOpen): Set<number> {
  const families = new Set<number>();
  for (const open of [a, b]) {
    for (const capability of open.capabilities) {
      if (capability.kind !== 'add-path') continue;
      for (const f of capability.families) if (f.sendReceive & 3) families.add(familyKey(f.afi, f.safi));
    }
  }
  return families;
}

const NO_ADD_PATH: ReadonlySet<number> = new Set();
const DEFAULT_CONTEXT = bmpContext(true, NO_ADD_PATH);
const DEFAULT_LEGACY_CONTEXT = bmpContext(false, NO_ADD_PATH);

/**
 * The state of one BMP session (one TCP connection from one router): feed it every message
 * in order with {@link receive}; decode Route Monitoring UPDATEs with {@link decodeUpdate} or
 * {@link walkUpdate}.
 */
export class BmpSession {
  private readonly peerStates = new Map<string, BmpPeerState>();
  /** Cache of the last looked-up peer header (object identity is not stable; fields are). */
  private lastHeader: BmpPeerHeader | null = null;
  private lastState: BmpPeerState | undefined = undefined;
  private readonly cursor = new NlriCursor();

  /** Peers currently up (a Peer Up seen, no Peer Down since). */
  get peers(): IterableIterator<BmpPeerState> {
    return this.peerStates.values();
  }

  /**
   * Update the per-peer state from a message: a Peer Up records the peer's decode contexts
   * (replacing older state), a Peer Down forgets it. Other messages change nothing.
   * Returns the peer's state for a Peer Up, else undefined.
   * @throws DecodeError if a Peer Up's OPEN cannot be decoded (`streamOffset` locates it).
   */
  receive(message: BmpMessage, streamOffset = 0): BmpPeerState | undefined {
    if (message.kind === 'peerUp') {
      const state = peerStateFrom(message, streamOffset);
      this.peerStates.set(bmpPeerKey(message.peer), state);
      this.lastHeader = null;
      return state;
    }
    if (message.kind === 'peerDown') {
      this.peerStates.delete(bmpPeerKey(message.peer));
      this.lastHeader = null;
    }
    return undefined;
  }

  /** The state of the peer a message is about, if its Peer Up was seen. */
  peerState(peer: BmpPeerHeader): BmpPeerState | undefined {
    const last = this.lastHeader;
    if (
      last !== null &&
      last.peerType === peer.peerType &&
      last.distinguisherLow === peer.distinguisherLow &&
      last.distinguisherHigh === peer.distinguisherHigh &&
      last.address.w0 === peer.address.w0 &&
      last.address.w3 === peer.address.w3 &&
      last.address.w1 === peer.address.w1 &&
      last.address.w2 === peer.address.w2 &&
      last.address.family === peer.address.family
    ) {
      return this.lastState;
    }
    const state = this.peerStates.get(bmpPeerKey(peer));
    this.lastHeader = peer;
    this.lastState = state;
    return state;
  }

  /** The decode context for a message of this peer header (see the module doc for the rules). */
  contextFor(peer: BmpPeerHeader): BgpDecodeContext {
    const state = this.peerState(peer);
    const legacy = peer.legacyAsPath;
    if (!state) return legacy ? DEFAULT_LEGACY_CONTEXT : DEFAULT_CONTEXT;
    if (peer.isLocRib || peer.adjRibOut) return legacy ? state.legacyRouterContext : state.routerContext;
    if (legacy) return state.legacyAdjRibInContext;
    return peer.postPolicy ? state.adjRibInPostContext : state.adjRibInContext;
  }

  /**
   * Decode the UPDATE of a Route Monitoring message with its peer's context.
   * @throws BgpDecodeError for an UPDATE that cannot be parsed at all (its offset is within
   *   the UPDATE; add the message's stream offset + 48 to locate it in the stream).
   */
  decodeUpdate(message: BmpRouteMonitoring): BgpUpdate {
    return decodeUpdate(message.update, 0, this.contextFor(message.peer));
  }

  /**
   * Walk the UPDATE of a Route Monitoring message without building route objects (the fast
   * path); see {@link walkUpdate} of wire/bgp for the visitor contract.
   */
  walkUpdate(message: BmpRouteMonitoring, visitor: UpdateVisitor): WalkResult {
    return walkUpdate(message.update, 0, this.contextFor(message.peer), visitor, this.cursor);
  }
}

function peerStateFrom(message: BmpPeerUp, streamOffset: number): BmpPeerState {
  // The OPENs start 20 bytes after the per-peer header (6 + 42 + 20 = 68).
  const sentOpen = decodeOpenIn(message.sentOpen, streamOffset + 68, 'sent');
  const receivedOpen = decodeOpenIn(message.receivedOpen, streamOffset + 68 + message.sentOpen.length, 'received');
  const inbound = negotiateDecodeContext(receivedOpen, sentOpen);
  const outbound = negotiateDecodeContext(sentOpen, receivedOpen);
  const routerAddPath = message.peer.isLocRib ? anyAddPath(sentOpen, receivedOpen) : outbound.addPath;
  return {
    peerUp: message,
    sentOpen,
    receivedOpen,
    fourOctetAsNegotiated: inbound.fourOctetAs,
    adjRibInContext: bmpContext(inbound.fourOctetAs, inbound.addPath),
    adjRibInPostContext: bmpContext(true, inbound.addPath),
    routerContext: bmpContext(true, routerAddPath),
    legacyAdjRibInContext: bmpContext(false, inbound.addPath),
    legacyRouterContext: bmpContext(false, routerAddPath),
  };
}

function decodeOpenIn(bytes: Uint8Array, streamOffset: number, which: string): BgpOpen {
  try {
    return decodeOpen(bytes, 0);
  } catch (error) {
    if (error instanceof DecodeError) {
      throw new DecodeError('BMP Peer Up', streamOffset + error.offset, `${which} OPEN: ${error.message}`, { cause: error });
    }
    throw error;
  }
}


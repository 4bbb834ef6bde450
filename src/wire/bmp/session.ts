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
 * Two vendor habits are handled, both seen in the real captures under ../shared/data/bmp:
 * - FRR (6WIND) sends post-policy and Loc-RIB UPDATEs with 2-byte AS numbers in AS_PATH on
 *   4-octet sessions without setting the A flag. When an UPDATE's AS_PATH does not parse with
 *   the AS size the rules give, it is decoded again with the other size, and the retry is used
 *   when its AS_PATH parses (counted in {@link BmpSession.asSizeFallbacks}).
 * - Huawei VRP sends one Peer Up per AFI/SAFI for its Loc-RIB instance peer, each OPEN
 *   listing ADD-PATH for that family only. For a Loc-RIB peer that is already up, a further
 *   Peer Up adds its ADD-PATH families to the peer's state instead of replacing them.
 *   Its Loc-RIB also sends path identifiers on families no OPEN lists (labeled unicast):
 *   when an UPDATE's NLRI do not parse with the ADD-PATH setting the rules give, it is
 *   decoded again with path identifiers on every family, then on none, and the first that
 *   parses is used (counted in {@link BmpSession.addPathFallbacks}); if none does, the
 *   original error is thrown.
 *
 * Messages carried over BMP are bounded by the BMP message length, so the extended-message
 * size limit is not applied, and mandatory-attribute checks are off: a monitoring feed records
 * what the router holds (FRR's Loc-RIB sends IPv4 routes without NEXT_HOP).
 *
 * Invariant: the state for a peer lives from its Peer Up to its Peer Down (or a new Peer Up);
 * lookups cache the last peer, since consecutive Route Monitoring messages usually share one.
 */
import { DecodeError, RibstoreError } from '../../errors.js';
import { familyKey } from '../bgp/constants.js';
import { createDecodeContext, negotiateDecodeContext, type BgpDecodeContext } from '../bgp/context.js';
import { decodeOpen } from '../bgp/open.js';
import { decodeUpdate, walkUpdate, type UpdateVisitor, type WalkResult } from '../bgp/update.js';
import { NlriCursor } from '../bgp/nlri.js';
import type { BgpOpen, BgpUpdate } from '../bgp/types.js';
import type { DecodedAttributes } from '../bgp/attribute-decode.js';
import type { BgpDecodeError } from '../bgp/errors.js';
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

/** Options of {@link BmpSession}. */
export interface BmpSessionOptions {
  /**
   * Most monitored peers kept at once (default 100,000; a large router has a few thousand).
   * A stream announcing more is refused rather than allowed to grow memory without bound.
   */
  maxPeers?: number;
}

/**
 * The state of one BMP session (one TCP connection from one router): feed it every message
 * in order with {@link receive}; decode Route Monitoring UPDATEs with {@link decodeUpdate} or
 * {@link walkUpdate}.
 */
export class BmpSession {
  private readonly peerStates = new Map<string, BmpPeerState>();
  /** Most peers kept at once. */
  readonly maxPeers: number;
  /** Cache of the last looked-up peer header (object identity is not stable; fields are). */
  private lastHeader: BmpPeerHeader | null = null;
  private lastState: BmpPeerState | undefined = undefined;
  private readonly cursor = new NlriCursor();
  /** What {@link walkUpdateAt} returns, reused. */
  private readonly result: WalkResult = { announced: 0, withdrawn: 0, decoded: NO_ATTRIBUTES };
  private asSizeRetries = 0;
  private addPathRetries = 0;

  constructor(options: BmpSessionOptions = {}) {
    const maxPeers = options.maxPeers ?? 100_000;
    if (!Number.isInteger(maxPeers) || maxPeers < 1) throw new RibstoreError('INVALID_ARGUMENT', `maxPeers ${maxPeers} must be a positive integer`);
    this.maxPeers = maxPeers;
  }

  /** How many UPDATEs were decoded with the other AS size than the rules say (see the module doc). */
  get asSizeFallbacks(): number {
    return this.asSizeRetries;
  }

  /** How many UPDATEs were decoded with another ADD-PATH setting than the rules say. */
  get addPathFallbacks(): number {
    return this.addPathRetries;
  }

  /** Peers currently up (a Peer Up seen, no Peer Down since). */
  get peers(): IterableIterator<BmpPeerState> {
    return this.peerStates.values();
  }

  /**
   * Update the per-peer state from a message: a Peer Up records the peer's decode contexts
   * (replacing older state), a Peer Down forgets it. Other messages change nothing.
   * Returns the peer's state for a Peer Up, else undefined.
   * @throws DecodeError if a Peer Up's OPEN cannot be decoded (`streamOffset` locates it);
   *   RibstoreError `LIMIT_EXCEEDED` for a Peer Up beyond `maxPeers` peers.
   */
  receive(message: BmpMessage, streamOffset = 0): BmpPeerState | undefined {
    if (message.kind === 'peerUp') {
      const key = bmpPeerKey(message.peer);
      const previous = message.peer.isLocRib ? this.peerStates.get(key) : undefined;
      const state = peerStateFrom(message, streamOffset, previous);
      if (this.peerStates.size >= this.maxPeers && !this.peerStates.has(key)) {
        throw new RibstoreError('LIMIT_EXCEEDED', `BMP Peer Up at offset ${streamOffset}: more than ${this.maxPeers} monitored peers in one session (maxPeers)`);
      }
      this.peerStates.set(key, state);
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
    if (last === peer) return this.lastState;
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
    let context = this.contextFor(message.peer);
    let update: BgpUpdate;
    try {
      update = decodeUpdate(message.update, 0, context);
    } catch (error) {
      context = this.addPathRetry(message.update, 0, context, error);
      update = decodeUpdate(message.update, 0, context);
    }
    if (!hasAsPathError(update.errors)) return update;
    let retry: BgpUpdate;
    try {
      retry = decodeUpdate(message.update, 0, otherAsSize(context));
    } catch {
      return update;
    }
    if (hasAsPathError(retry.errors)) return update;
    this.asSizeRetries++;
    return retry;
  }

  /**
   * The context to retry an UPDATE with after `error`: path identifiers on every family, or
   * on none, whichever parses. Rethrows `error` when neither does (or it is no decode error).
   */
  private addPathRetry(update: Uint8Array, offset: number, context: BgpDecodeContext, error: unknown): BgpDecodeContext {
    if (!(error instanceof DecodeError)) throw error;
    for (const addPath of [ALL_FAMILIES, NO_ADD_PATH]) {
      if (addPath === context.addPath) continue;
      const retry = withAddPath(context, addPath);
      try {
        decodeUpdate(update, offset, retry);
      } catch {
        continue;
      }
      this.addPathRetries++;
      return retry;
    }
    throw error;
  }

  /**
   * Walk the UPDATE of a Route Monitoring message without building route objects (the fast
   * path); see {@link walkUpdate} of wire/bgp for the visitor contract.
   */
  walkUpdate(message: BmpRouteMonitoring, visitor: UpdateVisitor): WalkResult {
    // The session's result object is reused by walkUpdateAt: hand this caller its own copy.
    const { announced, withdrawn, decoded } = this.walkUpdateAt(message.peer, message.update, 0, visitor);
    return { announced, withdrawn, decoded };
  }


  /**
   * {@link walkUpdate} for an UPDATE read in place: the UPDATE of a Route Monitoring message of
   * `peer` at `offset` of `bytes` (its own length field bounds it; the caller has checked that
   * it lies inside the message, see `routeMonitoringUpdateAt`). Error offsets are positions in
   * `bytes`. Nothing is delivered to the visitor when it throws. The result is the session's
   * own, reused by its next walk (the ingest hot path: no object per UPDATE): read it first.
   */
  walkUpdateAt(peer: BmpPeerHeader, bytes: Uint8Array, offset: number, visitor: UpdateVisitor): WalkResult {
    let context = this.contextFor(peer);
    try {
      return walkUpdate(bytes, offset, context, visitor, this.cursor, this.result, abortOnAsPathError);
    } catch (error) {
      if (error !== AS_SIZE_RETRY) {
        // walkUpdate throws before the visitor sees anything: retrying is clean.
        context = this.addPathRetry(bytes, offset, context, error);
        try {
          return walkUpdate(bytes, offset, context, visitor, this.cursor, this.result, abortOnAsPathError);
        } catch (again) {
          if (again !== AS_SIZE_RETRY) throw again;
        }
      }
    }
    // The AS_PATH did not parse: nothing was delivered yet; walk again with the other AS size.
    const retry = otherAsSize(context);
    let clean: boolean;
    try {
      clean = !hasAsPathError(decodeUpdate(bytes, offset, retry).errors);
    } catch {
      clean = false;
    }
    if (clean) this.asSizeRetries++;
    return walkUpdate(bytes, offset, clean ? retry : context, visitor, this.cursor, this.result);
  }
}

/** The decode a session's reused walk result holds before its first walk. */
const NO_ATTRIBUTES: DecodedAttributes = { attributes: {}, errors: [], treatAsWithdraw: false, unknownFamilies: 0, mpReachNlriStart: -1, mpReachNlriEnd: -1, mpUnreachNlriStart: -1, mpUnreachNlriEnd: -1 };

/** Thrown by {@link abortOnAsPathError} out of walkUpdate before any route is delivered. */
const AS_SIZE_RETRY = Symbol('retry with the other AS size');

/**
 * walkUpdate's check of a session's first walk of an UPDATE: an AS_PATH error aborts it
 * before the visitor sees anything, to retry with the other AS size. The visitor is walked to
 * directly (no forwarding visitor between: two calls fewer per route).
 */
function abortOnAsPathError(decoded: DecodedAttributes): void {
  if (hasAsPathError(decoded.errors)) throw AS_SIZE_RETRY;
}

/** AS_PATH (type 2) attribute errors: the sign of a wrong AS size. */
function hasAsPathError(errors: readonly BgpDecodeError[]): boolean {
  for (const error of errors) if (error.attributeType === 2) return true;
  return false;
}

/** Every AFI/SAFI wire/bgp decodes NLRI of: IPv4/IPv6 x unicast, multicast, labeled, VPN. */
const ALL_FAMILIES: ReadonlySet<number> = new Set([1, 2].flatMap((afi) => [1, 2, 4, 128].map((safi) => familyKey(afi, safi))));

const addPathContexts = new WeakMap<BgpDecodeContext, Map<ReadonlySet<number>, BgpDecodeContext>>();

/** The same context with another ADD-PATH family set (cached per context). */
function withAddPath(context: BgpDecodeContext, addPath: ReadonlySet<number>): BgpDecodeContext {
  let byFamilies = addPathContexts.get(context);
  if (!byFamilies) addPathContexts.set(context, (byFamilies = new Map()));
  let other = byFamilies.get(addPath);
  if (!other) byFamilies.set(addPath, (other = { ...context, addPath }));
  return other;
}

const flippedContexts = new WeakMap<BgpDecodeContext, BgpDecodeContext>();

/** The same context with the other AS size (cached per context). */
function otherAsSize(context: BgpDecodeContext): BgpDecodeContext {
  let other = flippedContexts.get(context);
  if (!other) {
    other = { ...context, fourOctetAs: !context.fourOctetAs };
    flippedContexts.set(context, other);
  }
  return other;
}

function peerStateFrom(message: BmpPeerUp, streamOffset: number, previous: BmpPeerState | undefined): BmpPeerState {
  // The OPENs start 20 bytes after the per-peer header (6 + 42 + 20 = 68).
  const sentOpen = decodeOpenIn(message.sentOpen, streamOffset + 68, 'sent');
  const receivedOpen = decodeOpenIn(message.receivedOpen, streamOffset + 68 + message.sentOpen.length, 'received');
  const inbound = negotiateDecodeContext(receivedOpen, sentOpen);
  const outbound = negotiateDecodeContext(sentOpen, receivedOpen);
  let routerAddPath: ReadonlySet<number> = outbound.addPath;
  if (message.peer.isLocRib) {
    const families = anyAddPath(sentOpen, receivedOpen);
    for (const family of previous?.routerContext.addPath ?? []) families.add(family);
    routerAddPath = families;
  }
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


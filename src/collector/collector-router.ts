/**
 * The collector's record of one router (a BMP session source): its live session, state and
 * counters, and its peers. A record outlives the router's sessions: a reconnect reuses it,
 * so its counters only grow.
 */
import type { BmpLink } from './bmp-connection.js';
import type { CollectorPeer } from './collector-peers.js';
import { type MessageCounts, emptyMessageCounts } from './statistics.js';

/** One router (BMP session source) as the collector knows it. */
export interface CollectorRouter {
  /** The router's name in the RIB and the API (see router-identity.ts). */
  readonly name: string;
  /** The source address of its last session. */
  address: string;
  /** `connected` while a session is live. */
  state: 'connected' | 'disconnected';
  /** When the state last changed (ms since the epoch). */
  since: number;
  sysName: string | null;
  sysDescr: string | null;
  /** Sessions this router opened since start. */
  sessions: number;
  /** Messages by kind, over all its sessions. */
  readonly messages: MessageCounts;
  /** Bytes received over all its sessions. */
  bytes: number;
  /** The last session's end: `null` while connected or after a clean end. */
  lastError: string | null;
  /** Why its last session closed (Termination, closed by the router, a timeout, replaced, an error); null before any close. */
  lastCloseReason: string | null;
  /** UPDATEs skipped because they could not be parsed (the session stayed up). */
  updateErrors: number;
  readonly peers: Map<string, CollectorPeer>;
  /** The live session's transport (a TCP connection, or a bus feed on a replica), if any. */
  connection: BmpLink | null;
}

/** A router's first record, made when its first session's Initiation arrives (connected since now). */
export function newCollectorRouter(name: string, address: string): CollectorRouter {
  return {
    name,
    address,
    state: 'connected',
    since: Date.now(),
    sysName: null,
    sysDescr: null,
    sessions: 0,
    messages: emptyMessageCounts(),
    bytes: 0,
    lastError: null,
    lastCloseReason: null,
    updateErrors: 0,
    peers: new Map(),
    connection: null,
  };
}

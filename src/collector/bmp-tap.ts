/**
 * The tap: a consumer of every TCP session's raw BMP messages beside the RIB (the bus
 * publisher is one), and the Termination the collector makes up for it when a session ends
 * without one, so that the tap's readers see every session end.
 */
import { encodeBmpMessage, textTlv } from '../wire/bmp/encode.js';
import { BmpTerminationReason, BmpTerminationType } from '../wire/bmp/types.js';

/**
 * A consumer of the raw BMP stream beside the RIB. It sees each router's messages in arrival
 * order, as the bytes the router sent (a view valid only during the call: copy what you keep).
 */
export interface BmpTap {
  /** One message of `router` (the session's remote address). Must not throw or block. */
  message(router: string, bytes: Uint8Array): void;
  /** A promise while the tap wants ingest held (back-pressure), else `null`. */
  hold(): Promise<void> | null;
}

/**
 * The Termination the tap gets for a session that ended without one (the router closed the
 * connection, an error, a timeout): reason 1 (unspecified) and a string TLV saying why.
 */
export function sessionEndTermination(reason: string): Uint8Array {
  return encodeBmpMessage({
    kind: 'termination',
    information: [
      textTlv(BmpTerminationType.String, `ended without Termination (added by the collector): ${reason}`),
      { type: BmpTerminationType.Reason, value: Uint8Array.of(0, BmpTerminationReason.Unspecified) },
    ],
  });
}

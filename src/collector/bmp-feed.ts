/**
 * A BMP session whose messages are handed over one at a time, each whole, instead of read from
 * a TCP socket: a query replica's router, whose messages arrive as bus records (src/bus/).
 *
 * ```
 *  record ──push(bytes)──► decode ──► handler.onMessage   (the collector's per-session path)
 *                          │ first not Initiation, bad bytes ──► close with the error's kind
 *                          └ Termination ──► close, clean
 * ```
 *
 * Invariants (the same as {@link BmpConnection}'s, so a router behaves alike over TCP and a bus):
 * - Each message is applied before `push` returns: the caller knows what state a message produced.
 * - The first message must be Initiation (RFC 7854 4.3), unless the feed is opened `resumed`
 *   (the session was live before a restart and its state was restored).
 * - Any error decoding or applying a message closes this feed only, reported once through
 *   `onClose` with its kind; later pushes are refused (`push` returns false).
 */
import { decodeBmpMessage } from '../wire/bmp/decode.js';
import { type BmpConnectionEnd, type BmpConnectionHandler, type BmpLink, CollectorError, checkFirstMessage } from './bmp-connection.js';

/** A session fed message by message; see the module doc. */
export class BmpMessageFeed implements BmpLink {
  /** Always 0: nothing waits, each message is applied as it is pushed. */
  readonly queueBytes = 0;
  readonly queueChunks = 0;
  bytesReceived = 0;
  lastReceivedAt = Date.now();
  private readonly handler: Pick<BmpConnectionHandler, 'onMessage' | 'onClose'>;
  private seenInitiation: boolean;
  private closed = false;

  constructor(handler: Pick<BmpConnectionHandler, 'onMessage' | 'onClose'>, resumed = false) {
    this.handler = handler;
    this.seenInitiation = resumed;
  }

  /** Whether the feed was closed (an error, a Termination, or {@link destroy}). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Decode and apply one whole BMP message (`bytes` holds exactly it). False when the feed is
   * closed, before or because of this message.
   */
  push(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const offset = this.bytesReceived;
    this.bytesReceived += bytes.length;
    this.lastReceivedAt = Date.now();
    try {
      const message = decodeBmpMessage(bytes, offset);
      if (!this.seenInitiation) {
        checkFirstMessage(message.kind, offset);
        this.seenInitiation = true;
      }
      this.handler.onMessage(message, bytes, offset);
      if (this.closed) return false;
      if (message.kind === 'termination') this.close(null, null, 'Termination received', true);
      return true;
    } catch (error) {
      this.close(error instanceof CollectorError ? error.kind : 'decode', error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }

  /** Close from our side (shutdown, replaced). */
  destroy(reason = 'closed by the collector'): void {
    this.close(null, null, reason);
  }

  private close(kind: BmpConnectionEnd['errorKind'], error: Error | null, reason?: string, terminated = false): void {
    if (this.closed) return;
    this.closed = true;
    this.handler.onClose({ errorKind: kind, error, terminated, reason: reason ?? `${kind ?? 'error'}: ${error?.message ?? 'closed'}` });
  }
}

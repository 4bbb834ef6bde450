/**
 * The typed BGP decode error: a {@link DecodeError} that also says what RFC 7606 makes of it.
 *
 * An UPDATE with a malformed attribute is not thrown away: `decodeUpdate` returns it with a
 * list of these, each saying whether the attribute was discarded or the whole UPDATE must be
 * treated as a withdrawal. Errors that leave the byte stream unparseable (bad header, an NLRI
 * that overruns its field, a broken MP_REACH_NLRI) are thrown, with action `session-reset`
 * and the NOTIFICATION code/subcode a BGP speaker would send.
 */
import { DecodeError } from '../../errors.js';

/** The action RFC 7606 assigns to an error: from least to most drastic. */
export type ErrorAction = 'attribute-discard' | 'treat-as-withdraw' | 'session-reset';

/** A BGP decode problem with its RFC 7606 action. */
export class BgpDecodeError extends DecodeError {
  /** What was (or must be) done about it. */
  readonly action: ErrorAction;
  /** The path attribute type code concerned, or -1 when not about one attribute. */
  readonly attributeType: number;
  /** NOTIFICATION error code a speaker would send for a session reset (RFC 4271 4.5). */
  readonly notificationCode: number;
  /** NOTIFICATION error subcode. */
  readonly notificationSubcode: number;

  constructor(
    messageType: string,
    offset: number,
    message: string,
    action: ErrorAction,
    attributeType = -1,
    notificationCode = 3,
    notificationSubcode = 0,
  ) {
    super(messageType, offset, `${message} (${action})`);
    this.name = 'BgpDecodeError';
    this.action = action;
    this.attributeType = attributeType;
    this.notificationCode = notificationCode;
    this.notificationSubcode = notificationSubcode;
  }
}

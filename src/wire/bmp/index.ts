/**
 * BMP (RFC 7854, RFC 8671, RFC 9069): the message model, decoder, encoder, the incremental
 * stream framer and the per-peer session state that decodes the BGP PDUs inside.
 */
export * from './types.js';
export { BmpPeerHeader, readPeerHeader, writePeerHeader, formatPeerDistinguisher } from './peer-header.js';
export { decodeBmpMessage } from './decode.js';
export { BMP_PEER_DOWN_REASON_NAMES, BMP_STAT_TYPE_NAMES, type BmpCodeName, bmpPeerDownReasonName, bmpStatTypeName } from './names.js';
export { encodeBmpMessage, textTlv, tlvText } from './encode.js';
export { BmpFramer, type BmpFrame, type BmpFramerOptions, DEFAULT_MAX_BMP_MESSAGE_LENGTH } from './framer.js';
export { BmpSession, type BmpPeerState, type BmpSessionOptions, bmpPeerKey } from './session.js';

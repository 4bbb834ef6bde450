/**
 * wire/bgp: the BGP-4 codec, pure code over `Uint8Array`. See types.ts for the data model;
 * update.ts, attribute-decode.ts, attribute-encode.ts, open.ts and message.ts for the codec;
 * context.ts for the per-session decode context.
 */
export * from './types.js';
export * from './constants.js';
export { BgpDecodeError, type ErrorAction } from './errors.js';
export {
  type BgpDecodeContext,
  type BgpDecodeContextOptions,
  createDecodeContext,
  negotiateDecodeContext,
  FOUR_OCTET_AS_CONTEXT,
  TWO_OCTET_AS_CONTEXT,
} from './context.js';
export { type BgpHeader, readBgpHeader, bgpMessageLength, messageTypeName } from './header.js';
export { type DecodedAttributes, decodePathAttributes } from './attribute-decode.js';
export { type EncodeAttributesOptions, type EncodeContext, encodePathAttributes } from './attribute-encode.js';
export { NlriCursor, isKnownFamily, labelValue, labelEntry, readNlriEntry, decodeNlriList } from './nlri.js';
export { type AttributeBlockKey, type AttributeBlockSource, type UpdateVisitor, type WalkResult, type UpdateInput, attributeBlockKeyEquals, copyAttributeBlockKey, decodeUpdate, walkUpdate, encodeUpdate } from './update.js';
export { decodeOpen, decodeOpenBody, encodeOpen, myAsFor } from './open.js';
export { decodeBgpMessage, encodeBgpMessage, encodeNotification, encodeKeepalive, encodeRouteRefresh } from './message.js';
export { formatRouteDistinguisher, parseRouteDistinguisher, readRouteDistinguisher } from './route-distinguisher.js';
export {
  formatCommunity,
  parseCommunity,
  formatLargeCommunity,
  parseLargeCommunity,
  formatExtendedCommunity,
  formatAsPath,
  formatOrigin,
} from './communities.js';

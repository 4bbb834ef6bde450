/**
 * bus/: the BMP stream on a message bus. OpenBMP v1.7 raw framing (the record format of
 * OpenBMP's and GoBMP's `bmp_raw` topics) and its stream framer.
 */
export * from './openbmp.js';
export { OpenBmpFramer, type OpenBmpFrame } from './openbmp-framer.js';

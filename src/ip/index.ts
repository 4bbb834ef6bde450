/** Addresses and prefixes: parse, format, compare, numeric forms. See address.ts and prefix.ts. */
export * from './address.js';
export * from './prefix.js';

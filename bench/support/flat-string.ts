/**
 * Flat strings for benchmark inputs.
 *
 * V8 builds a string made by concatenation (a template literal, `+`) as a "cons string": a small
 * tree of parts. The first API that needs its characters flattens it in place into one
 * sequential string, and the tree becomes garbage. If that first use happens inside a measured
 * step, the step is billed for the flattening, and a memory delta taken across it shrinks by
 * the freed trees (tens of MB on a million strings). Benchmark inputs are therefore made flat
 * once, when they are created.
 */

/** A flat (sequential, one-byte) copy of an ASCII/Latin-1 string. */
export function flatString(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

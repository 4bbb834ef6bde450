/**
 * What a fuzz target is.
 *
 * A target names one decoder entry point, gives seed inputs to mutate, and a `run` that
 * feeds one input to the code under test. `run` may throw {@link RibstoreError} (the
 * decoder saying "malformed", which is the expected answer to most mutated inputs);
 * anything else it throws, a run that takes longer than the hang limit, or a worker that
 * exhausts its memory limit is a finding.
 *
 * Add a target: write `fuzz/targets/<name>.ts` exporting a `FuzzTarget`, then add one line
 * to the list in `fuzz/targets/index.ts`.
 */

/** A fuzz target (see the module doc). */
export interface FuzzTarget {
  /** Unique short name, used on the command line (`--target bgp-update`) and in file names. */
  readonly name: string;
  /**
   * Inputs to mutate: valid messages, ideally covering every branch the decoder has.
   * May be a getter that builds them on first use (real data files are read lazily).
   * At least one seed is required.
   */
  readonly seeds: readonly Uint8Array[];
  /** Largest input the mutators may produce (default 65,536 bytes). Keeps memory bounded. */
  readonly maxInputLength?: number;
  /** Feed one input to the code under test. May throw only RibstoreError. */
  run(input: Uint8Array): void;
}

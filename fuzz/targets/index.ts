/**
 * Every fuzz target, in the order `npm run fuzz` runs them. Add yours with one line.
 */
import type { FuzzTarget } from '../target.js';
import { bgpAttributesTarget, bgpMessageTarget } from './bgp.js';
import { bmpStreamTarget } from './bmp.js';
import { mrtRecordsTarget } from './mrt.js';
import { ribSnapshotTarget } from './rib-snapshot.js';

/** The registry read by fuzz/run.ts and test/fuzz. */
export const targets: readonly FuzzTarget[] = [
  bgpMessageTarget,
  bgpAttributesTarget,
  bmpStreamTarget,
  mrtRecordsTarget,
  ribSnapshotTarget,
  // BMP and MRT targets: import them above and add them here.
];

/** Words of the control array bench/concurrent.ts shares with its reader workers. */

/** 0 while readers wait, 1 once they may start. */
export const GO = 0;
/** 1 once readers must stop and report. */
export const STOP = 1;
/** Readers that have opened the RIB and warmed up. */
export const READY = 2;
/** Words in the control array. */
export const CONTROL_WORDS = 4;

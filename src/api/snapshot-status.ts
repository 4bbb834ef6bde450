/**
 * The snapshot figures the API shows (`/api/v1/stats` under `snapshots`, and `/metrics`).
 * The service's SnapshotKeeper (service/snapshot-keeper.ts) fills them; the API only reads
 * them, so the shape lives here, below the service.
 */

/** What `/api/v1/stats` shows under `snapshots`. */
export interface SnapshotStatusJson {
  dataDir: string;
  intervalSeconds: number;
  restored: { file: string; takenAt: string; routes: number; prefixes: number; routers: number } | null;
  /** Files that failed to restore at start, with the reason. */
  rejected: { file: string; error: string }[];
  lastWrite: { file: string; takenAt: string; routes: number; bytes: number; seconds: number; longestSliceMs: number } | null;
  lastError: string | null;
  writes: number;
  failures: number;
}
